using System.Security.Cryptography;

namespace ArdMl.Activations;

/// <summary>
/// Reads ArdMl's own shard folders (models/SHARDS.md): a folder with manifest.json or a folder of such folders (the
/// parts of a <c>--shard i/n</c> run, read in name order). It checks the manifest, the index checksum and every index
/// line before any clip is returned; each clip's bytes are checked against their SHA-256 as they are read.
/// </summary>
internal sealed class NativeActivationShardReader : ActivationShardReader
{
    private readonly List<(string Folder, ActivationShardManifest Manifest)> _parts;

    private NativeActivationShardReader(List<(string Folder, ActivationShardManifest Manifest)> parts, long clips, long tokens)
    {
        _parts = parts;
        ClipCount = clips;
        TokenCount = tokens;
    }

    /// <inheritdoc/>
    public override ActivationShardManifest Manifest => _parts[0].Manifest;

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Native;

    /// <inheritdoc/>
    public override long ClipCount { get; }

    /// <inheritdoc/>
    public override long TokenCount { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Parts => [.. _parts.Select(p => p.Folder)];

    /// <summary>Whether a folder holds native shards: manifest.json in it or in a subfolder.</summary>
    internal static bool Recognizes(string root) =>
        File.Exists(Path.Combine(root, ActivationShardManifest.FileName))
        || Directory.GetDirectories(root).Any(d => File.Exists(Path.Combine(d, ActivationShardManifest.FileName)));

    /// <summary>Opens and verifies a native shard folder (or a folder of part folders).</summary>
    internal static NativeActivationShardReader OpenFolder(string root, bool allowIncomplete)
    {
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

        return new NativeActivationShardReader(parts, clips, tokens);
    }

    /// <inheritdoc/>
    public override IEnumerable<ActivationShardClip> ReadClips()
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
