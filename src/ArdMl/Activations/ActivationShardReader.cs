using System.Text.Json;

namespace ArdMl.Activations;

/// <summary>
/// Reads activation shards clip by clip with bounded memory, whatever their <see cref="ActivationShardFormat"/>.
/// <see cref="Open"/> detects the format from the folder's contents: manifest.json (native shards, or a folder of
/// native part folders), state.json with data-*.arrow files (a Hugging Face dataset saved to disk, including SAELens's
/// cached activations), or *.parquet files. Every reader verifies what the folder says about itself (checksums, clip
/// and frame counts, d) and raises <see cref="ActivationShardException"/>, naming the file, instead of returning wrong
/// values.
/// </summary>
public abstract class ActivationShardReader
{
    private protected ActivationShardReader()
    {
    }

    /// <summary>Model, tap, d, dtype and the other header facts (for a multi-part folder: the first part's).</summary>
    public abstract ActivationShardManifest Manifest { get; }

    /// <summary>The layout the folder was read as.</summary>
    public abstract ActivationShardFormat Format { get; }

    /// <summary>Features per token.</summary>
    public int Width => Manifest.Width;

    /// <summary>Clips across all parts.</summary>
    public abstract long ClipCount { get; }

    /// <summary>Tokens across all parts.</summary>
    public abstract long TokenCount { get; }

    /// <summary>The part folders or files read, in order.</summary>
    public abstract IReadOnlyList<string> Parts { get; }

    /// <summary>Opens and verifies an activation folder of any <see cref="ActivationShardFormat"/>.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="allowIncomplete">Accept folders whose writer did not complete (no final checksums to verify).</param>
    public static ActivationShardReader Open(string folder, bool allowIncomplete = false)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Activation shard folder '{root}' does not exist.");
        }

        if (!NativeActivationShardReader.Recognizes(root) && !ArrowActivationShardReader.Recognizes(root) && !ParquetActivationShardReader.Recognizes(root)
            && PartedActivationShardReader.FindParts(root).Count > 0)
        {
            return PartedActivationShardReader.OpenParts(root, allowIncomplete);
        }

        return DetectFormat(root) switch
        {
            ActivationShardFormat.Native => NativeActivationShardReader.OpenFolder(root, allowIncomplete),
            ActivationShardFormat.Arrow => ArrowActivationShardReader.OpenFolder(root, allowIncomplete),
            ActivationShardFormat.Parquet => ParquetActivationShardReader.OpenFolder(root),
            _ => throw new ActivationShardException(
                root,
                "no activations found: expected manifest.json (native shards), state.json with data-*.arrow files (a Hugging Face dataset) or *.parquet files, here or in part subfolders."),
        };
    }

    /// <summary>The format of an activation folder from its contents, or null when it holds none.</summary>
    /// <param name="folder">The folder.</param>
    public static ActivationShardFormat? DetectFormat(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            return null;
        }

        if (NativeActivationShardReader.Recognizes(root))
        {
            return ActivationShardFormat.Native;
        }

        if (ArrowActivationShardReader.Recognizes(root))
        {
            return ActivationShardFormat.Arrow;
        }

        if (ParquetActivationShardReader.Recognizes(root))
        {
            return ActivationShardFormat.Parquet;
        }

        return PartedActivationShardReader.FindParts(root) is [var first, ..] ? first.Format : null;
    }

    /// <summary>Streams every clip in order; about one clip's values (one record batch or row group for tables) are in memory at a time.</summary>
    public abstract IEnumerable<ActivationShardClip> ReadClips();

    internal static ActivationShardIndexEntry ParseLine(string indexPath, int lineNumber, string line)
    {
        ActivationShardIndexEntry? entry;
        try
        {
            entry = JsonSerializer.Deserialize<ActivationShardIndexEntry>(line, ActivationShardManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ActivationShardException(indexPath, $"line {lineNumber} is not valid JSON ({e.Message}).", e);
        }

        if (entry is null || entry.Clip.Length == 0 || entry.Shard.Length == 0 || entry.Offset < 0 || entry.Tokens < 0 || entry.Sha256.Length != 64
            || entry.Shard.Contains('/') || entry.Shard.Contains('\\') || entry.Shard.Contains(".."))
        {
            throw new ActivationShardException(indexPath, $"line {lineNumber} lacks a valid clip, shard, offset, tokens or sha256: {Truncate(line)}");
        }

        return entry;
    }

    internal static float[] Decode(ReadOnlySpan<byte> bytes, ActivationShardDataType type)
    {
        if (type == ActivationShardDataType.Float32)
        {
            var values = new float[bytes.Length / 4];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
            }

            return values;
        }

        var halves = new float[bytes.Length / 2];
        for (var i = 0; i < halves.Length; i++)
        {
            halves[i] = (float)System.Buffers.Binary.BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
        }

        return halves;
    }

    private static string Truncate(string line) => line.Length <= 120 ? line : line[..120] + "…";
}
