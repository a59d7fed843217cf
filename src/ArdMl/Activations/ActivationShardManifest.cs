using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>
/// The header of an activation shard folder (<c>manifest.json</c>): width, element type, model and tap, version, and
/// the index's checksum once the writer completed. See <c>models/SHARDS.md</c>.
/// </summary>
public sealed class ActivationShardManifest
{
    /// <summary>Value of <see cref="Format"/>.</summary>
    public const string FormatName = "ardml-activation-shards";

    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Manifest file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Index file name.</summary>
    public const string IndexFileName = "index.jsonl";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Always <see cref="FormatName"/>.</summary>
    [JsonPropertyName("format")]
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (1).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Features per token (d).</summary>
    [JsonPropertyName("d")]
    public int Width { get; init; }

    /// <summary>Element type of the shard files.</summary>
    [JsonPropertyName("dtype")]
    public ActivationShardDataType DataType { get; init; } = ActivationShardDataType.Float32;

    /// <summary>Model name (a description name or a Hugging Face id).</summary>
    [JsonPropertyName("model")]
    public string Model { get; init; } = "";

    /// <summary>SHA-256 of the model file, when known.</summary>
    [JsonPropertyName("modelSha256")]
    public string? ModelSha256 { get; init; }

    /// <summary>The tap (layer or value name).</summary>
    [JsonPropertyName("tap")]
    public string Tap { get; init; } = "";

    /// <summary>Sample rate of the audio the activations came from, when known.</summary>
    [JsonPropertyName("sampleRate")]
    public int? SampleRate { get; init; }

    /// <summary>What wrote the folder.</summary>
    [JsonPropertyName("producer")]
    public string? Producer { get; init; }

    /// <summary>Free-form string metadata (for example the shard i/n of a distributed run).</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>True once the writer completed; then <see cref="IndexSha256"/>, <see cref="ClipCount"/> and <see cref="TokenCount"/> are set.</summary>
    [JsonPropertyName("complete")]
    public bool Complete { get; init; }

    /// <summary>Number of clips in the index (set on completion).</summary>
    [JsonPropertyName("clips")]
    public long? ClipCount { get; init; }

    /// <summary>Total tokens (set on completion).</summary>
    [JsonPropertyName("tokens")]
    public long? TokenCount { get; init; }

    /// <summary>SHA-256 (hex) of index.jsonl (set on completion).</summary>
    [JsonPropertyName("indexSha256")]
    public string? IndexSha256 { get; init; }

    /// <summary>Bytes per value of <see cref="DataType"/>.</summary>
    [JsonIgnore]
    public int BytesPerValue => DataType == ActivationShardDataType.Float16 ? 2 : 4;

    internal static ActivationShardManifest Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new ActivationShardException(path, "manifest.json is missing.");
        }

        ActivationShardManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ActivationShardManifest>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ActivationShardException(path, $"manifest is not valid JSON ({e.Message}).", e);
        }

        if (manifest is null || manifest.Format != FormatName)
        {
            throw new ActivationShardException(path, $"not an activation shard manifest (format must be '{FormatName}').");
        }

        if (manifest.Version != CurrentVersion)
        {
            throw new ActivationShardException(path, $"format version {manifest.Version}; this library reads version {CurrentVersion}.");
        }

        if (manifest.Width <= 0)
        {
            throw new ActivationShardException(path, $"d must be positive (is {manifest.Width}).");
        }

        return manifest;
    }

    internal void Write(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temporary, path, overwrite: true);
    }
}
