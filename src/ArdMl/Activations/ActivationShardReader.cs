using System.Security.Cryptography;
using System.Text.Json;

namespace ArdMl.Activations;

/// <summary>
/// Reads activation shards clip by clip with bounded memory. <see cref="Open"/> accepts a shard folder (with
/// manifest.json) or a folder of such folders (the parts of a <c>--shard i/n</c> run, read in name order). It checks
/// the manifest, the index checksum and every index line before any clip is returned; each clip's bytes are checked
/// against their SHA-256 as they are read, so corruption raises <see cref="ActivationShardException"/> and never
/// yields wrong values.
/// </summary>
public sealed class ActivationShardReader
{
    private readonly List<(string Folder, ActivationShardManifest Manifest)> _parts;

    private ActivationShardReader(List<(string Folder, ActivationShardManifest Manifest)> parts, long clips, long tokens)
    {
        _parts = parts;
        ClipCount = clips;
        TokenCount = tokens;
    }

    /// <summary>The manifest of the first part (all parts share d, dtype, model and tap).</summary>
    public ActivationShardManifest Manifest => _parts[0].Manifest;

    /// <summary>Features per token.</summary>
    public int Width => Manifest.Width;

    /// <summary>Clips across all parts.</summary>
    public long ClipCount { get; }

    /// <summary>Tokens across all parts.</summary>
    public long TokenCount { get; }

    /// <summary>The part folders read, in order.</summary>
    public IReadOnlyList<string> Parts => [.. _parts.Select(p => p.Folder)];

    /// <summary>Opens and verifies a shard folder (or a folder of part folders).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="allowIncomplete">Accept parts whose writer did not complete (no index checksum to verify).</param>
    public static ActivationShardReader Open(string folder, bool allowIncomplete = false)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Activation shard folder '{root}' does not exist.");
        }

        var folders = File.Exists(Path.Combine(root, ActivationShardManifest.FileName))
            ? [root]
            : Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, ActivationShardManifest.FileName))).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            throw new ActivationShardException(root, "no manifest.json here or in any subfolder.");
        }

        var parts = new List<(string, ActivationShardManifest)>();
        long clips = 0, tokens = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in folders)
        {
            var manifest = ActivationShardManifest.Read(part);
            if (parts.Count > 0)
            {
                var first = parts[0].Item2;
                if (first.Width != manifest.Width || first.DataType != manifest.DataType || first.Model != manifest.Model || first.Tap != manifest.Tap)
                {
                    throw new ActivationShardException(part, $"part holds {manifest.Model} / {manifest.Tap} (d {manifest.Width}, {manifest.DataType}) but {parts[0].Item1} holds {first.Model} / {first.Tap} (d {first.Width}, {first.DataType}).");
                }
            }

            var (partClips, partTokens) = VerifyIndex(part, manifest, allowIncomplete, seen);
            clips += partClips;
            tokens += partTokens;
            parts.Add((part, manifest));
        }

        return new ActivationShardReader(parts, clips, tokens);
    }

    /// <summary>Streams every clip in index order; one clip's values are in memory at a time.</summary>
    public IEnumerable<ActivationShardClip> ReadClips()
    {
        foreach (var (folder, manifest) in _parts)
        {
            var indexPath = Path.Combine(folder, ActivationShardManifest.IndexFileName);
            FileStream? shard = null;
            try
            {
                var lineNumber = 0;
                foreach (var line in File.ReadLines(indexPath))
                {
                    lineNumber++;
                    var entry = ParseLine(indexPath, lineNumber, line);
                    var path = Path.Combine(folder, entry.Shard);
                    if (shard is null || shard.Name != path)
                    {
                        shard?.Dispose();
                        shard = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                    }

                    var bytes = new byte[(long)entry.Tokens * manifest.Width * manifest.BytesPerValue];
                    shard.Seek(entry.Offset, SeekOrigin.Begin);
                    shard.ReadExactly(bytes);
                    if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.Sha256, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ActivationShardException(path, $"clip '{entry.Clip}' (index line {lineNumber}, offset {entry.Offset}) fails its SHA-256 check: the shard is corrupt.");
                    }

                    yield return new ActivationShardClip(entry.Clip, Decode(bytes, manifest.DataType), entry.Tokens, manifest.Width, entry.Metadata ?? []);
                }
            }
            finally
            {
                shard?.Dispose();
            }
        }
    }

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

    private static (long Clips, long Tokens) VerifyIndex(string folder, ActivationShardManifest manifest, bool allowIncomplete, HashSet<string> seen)
    {
        var manifestPath = Path.Combine(folder, ActivationShardManifest.FileName);
        var indexPath = Path.Combine(folder, ActivationShardManifest.IndexFileName);
        if (!manifest.Complete && !allowIncomplete)
        {
            throw new ActivationShardException(manifestPath, "the writer did not complete this folder (manifest says complete: false); resume the extraction or open with allowIncomplete.");
        }

        if (!File.Exists(indexPath))
        {
            throw new ActivationShardException(indexPath, "index.jsonl is missing.");
        }

        if (manifest.Complete)
        {
            using var stream = File.OpenRead(indexPath);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (!string.Equals(hash, manifest.IndexSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ActivationShardException(indexPath, $"index SHA-256 {hash} does not match the manifest's {manifest.IndexSha256}: the index was changed or damaged.");
            }
        }

        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long clips = 0, tokens = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(indexPath))
        {
            lineNumber++;
            var entry = ParseLine(indexPath, lineNumber, line);
            if (!seen.Add(entry.Clip))
            {
                throw new ActivationShardException(indexPath, $"line {lineNumber}: clip '{entry.Clip}' appears twice.");
            }

            if (!sizes.TryGetValue(entry.Shard, out var size))
            {
                var shardPath = Path.Combine(folder, entry.Shard);
                if (!File.Exists(shardPath))
                {
                    throw new ActivationShardException(shardPath, $"shard file named by index line {lineNumber} is missing.");
                }

                size = sizes[entry.Shard] = new FileInfo(shardPath).Length;
            }

            var end = entry.Offset + ((long)entry.Tokens * manifest.Width * manifest.BytesPerValue);
            if (end > size)
            {
                throw new ActivationShardException(Path.Combine(folder, entry.Shard), $"clip '{entry.Clip}' (index line {lineNumber}) ends at byte {end} but the shard has {size} bytes: the shard is truncated.");
            }

            clips++;
            tokens += entry.Tokens;
        }

        if (manifest.Complete && (manifest.ClipCount != clips || manifest.TokenCount != tokens))
        {
            throw new ActivationShardException(indexPath, $"index holds {clips} clips and {tokens} tokens; the manifest says {manifest.ClipCount} and {manifest.TokenCount}.");
        }

        return (clips, tokens);
    }
}
