using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ArdMl.Activations;

/// <summary>
/// The on-disk layout of a Hugging Face dataset saved with <c>datasets.Dataset.save_to_disk</c>, as ArdMl writes it:
/// <c>data-NNNNN-of-MMMMM.arrow</c> (Arrow IPC stream format), <c>dataset_info.json</c> (features, plus ArdMl's
/// header under "ardml", which <c>datasets</c> ignores) and <c>state.json</c> (the data files in order). Rows are
/// frames: "clip" (string), "frame" (int32) and "activations" (fixed-size list of d float32 or float16, the
/// <c>Sequence(Value(dtype), length=d)</c> feature). Each Arrow schema also carries the features under "huggingface",
/// as <c>datasets</c>' own writer does, and the file's clip index under "ardml".
/// </summary>
internal static class ArrowDatasetLayout
{
    public const string StateFileName = "state.json";

    public const string InfoFileName = "dataset_info.json";

    public const string ClipColumn = "clip";

    public const string FrameColumn = "frame";

    public const string ActivationsColumn = "activations";

    public const string HuggingFaceMetadataKey = "huggingface";

    /// <summary>Record batches hold about this many rows (a clip is never split across batches).</summary>
    public const int BatchRows = 8192;

    public static string DataFileName(int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"data-{index:D5}-of-{count:D5}.arrow");

    /// <summary>The number in data-NNNNN[-of-MMMMM].arrow, or -1.</summary>
    public static int DataFileNumber(string path)
    {
        var name = Path.GetFileName(path);
        if (!name.StartsWith("data-", StringComparison.Ordinal) || !name.EndsWith(".arrow", StringComparison.Ordinal) || name.Length < 10)
        {
            return -1;
        }

        return int.TryParse(name.AsSpan(5, 5), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1;
    }

    public static IArrowType ValueType(ActivationShardDataType type) =>
        type == ActivationShardDataType.Float16 ? HalfFloatType.Default : FloatType.Default;

    public static Schema Schema(ActivationTableMetadata metadata)
    {
        var manifest = metadata.Manifest;
        var fields = new[]
        {
            new Field(ClipColumn, StringType.Default, nullable: true),
            new Field(FrameColumn, Int32Type.Default, nullable: true),
            new Field(ActivationsColumn, new FixedSizeListType(new Field("item", ValueType(manifest.DataType), nullable: true), manifest.Width), nullable: true),
        };
        var huggingFace = new JsonObject { ["info"] = new JsonObject { ["features"] = Features(manifest) } };
        return new Schema(fields, [new(HuggingFaceMetadataKey, huggingFace.ToJsonString()), new(ActivationTableMetadata.Key, metadata.ToJson())]);
    }

    /// <summary>The <c>datasets</c> features of the layout.</summary>
    public static JsonObject Features(ActivationShardManifest manifest) => new()
    {
        [ClipColumn] = new JsonObject { ["dtype"] = "string", ["_type"] = "Value" },
        [FrameColumn] = new JsonObject { ["dtype"] = "int32", ["_type"] = "Value" },
        [ActivationsColumn] = new JsonObject
        {
            ["feature"] = new JsonObject { ["dtype"] = manifest.DataType == ActivationShardDataType.Float16 ? "float16" : "float32", ["_type"] = "Value" },
            ["length"] = manifest.Width,
            ["_type"] = "Sequence",
        },
    };

    public static void WriteFolderFiles(string folder, ActivationShardManifest manifest, IReadOnlyList<ArrowDataFile> files)
    {
        var info = new JsonObject
        {
            ["citation"] = "",
            ["description"] = $"Activations of {manifest.Model} at {manifest.Tap} (d {manifest.Width}, {manifest.DataType}), written by {manifest.Producer}.",
            ["features"] = Features(manifest),
            ["homepage"] = "",
            ["license"] = "",
            [ActivationTableMetadata.Key] = JsonSerializer.SerializeToNode(new ArrowDatasetInfo { Manifest = manifest, Files = [.. files] }, ActivationShardManifest.JsonOptions),
        };
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", files.Select(f => f.Sha256)))))[..16];
        var dataFiles = new JsonArray();
        foreach (var file in files)
        {
            dataFiles.Add(new JsonObject { ["filename"] = file.FileName });
        }

        var state = new JsonObject
        {
            ["_data_files"] = dataFiles,
            ["_fingerprint"] = fingerprint,
            ["_format_columns"] = null,
            ["_format_kwargs"] = new JsonObject(),
            ["_format_type"] = null,
            ["_output_all_columns"] = false,
            ["_split"] = null,
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        WriteAtomically(Path.Combine(folder, InfoFileName), info.ToJsonString(indented));
        WriteAtomically(Path.Combine(folder, StateFileName), state.ToJsonString(indented));
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>ArdMl's header in dataset_info.json: the completed manifest and every data file with its SHA-256.</summary>
internal sealed class ArrowDatasetInfo
{
    [JsonPropertyName("manifest")]
    public ActivationShardManifest Manifest { get; init; } = new();

    [JsonPropertyName("files")]
    public List<ArrowDataFile> Files { get; init; } = [];
}

/// <summary>One data file listed in dataset_info.json.</summary>
internal sealed class ArrowDataFile
{
    [JsonPropertyName("filename")]
    public string FileName { get; init; } = "";

    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = "";

    [JsonPropertyName("clips")]
    public int Clips { get; init; }

    [JsonPropertyName("tokens")]
    public long Tokens { get; init; }
}
