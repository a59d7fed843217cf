using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>
/// What an Arrow or Parquet activation file says about itself, stored as JSON under the <see cref="Key"/> key of the
/// Arrow schema metadata or the Parquet key-value metadata: the folder's header and the clips of this file, in row
/// order (each clip's frames are consecutive rows).
/// </summary>
internal sealed class ActivationTableMetadata
{
    /// <summary>Metadata key.</summary>
    public const string Key = "ardml";

    /// <summary>Value of <see cref="Format"/>.</summary>
    public const string FormatName = "ardml-activation-table";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    [JsonPropertyName("format")]
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (1).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = ActivationShardManifest.CurrentVersion;

    /// <summary>Model, tap, d, dtype and the optional header fields.</summary>
    [JsonPropertyName("manifest")]
    public ActivationShardManifest Manifest { get; init; } = new();

    /// <summary>The file's clips in row order.</summary>
    [JsonPropertyName("clips")]
    public List<ActivationTableClip> Clips { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, CompactOptions);

    public static ActivationTableMetadata Parse(string file, string json)
    {
        ActivationTableMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ActivationTableMetadata>(json, ActivationShardManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ActivationShardException(file, $"the '{Key}' metadata is not valid JSON ({e.Message}).", e);
        }

        if (metadata is null || metadata.Format != FormatName || metadata.Version != ActivationShardManifest.CurrentVersion)
        {
            throw new ActivationShardException(file, $"the '{Key}' metadata is not {FormatName} version {ActivationShardManifest.CurrentVersion}.");
        }

        if (metadata.Manifest.Width <= 0)
        {
            throw new ActivationShardException(file, $"the '{Key}' metadata gives d {metadata.Manifest.Width}; d must be positive.");
        }

        foreach (var clip in metadata.Clips)
        {
            if (clip.Clip.Length == 0 || clip.Tokens < 0 || clip.Sha256.Length != 64)
            {
                throw new ActivationShardException(file, $"the '{Key}' metadata has a clip entry without a valid clip id, tokens or sha256 ('{clip.Clip}').");
            }
        }

        return metadata;
    }

    private static readonly JsonSerializerOptions CompactOptions = new(ActivationShardManifest.JsonOptions) { WriteIndented = false };
}

/// <summary>One clip of an Arrow or Parquet activation file.</summary>
internal sealed class ActivationTableClip
{
    /// <summary>Clip id.</summary>
    [JsonPropertyName("clip")]
    public string Clip { get; init; } = "";

    /// <summary>Frames (rows) of the clip.</summary>
    [JsonPropertyName("tokens")]
    public int Tokens { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the clip's values encoded little-endian at the manifest's dtype, as in index.jsonl.</summary>
    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = "";

    /// <summary>Free-form string metadata.</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }
}
