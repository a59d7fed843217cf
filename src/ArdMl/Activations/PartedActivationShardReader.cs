namespace ArdMl.Activations;

/// <summary>
/// The parts of a <c>--shard i/n</c> run in Arrow or Parquet (subfolders part-i-of-n, each a complete folder), read in
/// name order as one; they must agree on d, dtype, model and tap. (Native part folders are read by
/// <see cref="NativeActivationShardReader"/> itself.)
/// </summary>
internal sealed class PartedActivationShardReader : ActivationShardReader
{
    private readonly IReadOnlyList<ActivationShardReader> _parts;

    private PartedActivationShardReader(IReadOnlyList<ActivationShardReader> parts)
    {
        _parts = parts;
        var first = parts[0].Manifest;
        Manifest = new ActivationShardManifest
        {
            Width = first.Width,
            DataType = first.DataType,
            Model = first.Model,
            ModelSha256 = first.ModelSha256,
            Tap = first.Tap,
            SampleRate = first.SampleRate,
            Producer = first.Producer,
            Metadata = first.Metadata,
            Complete = parts.All(p => p.Manifest.Complete),
            ClipCount = parts.Sum(p => p.ClipCount),
            TokenCount = parts.Sum(p => p.TokenCount),
        };
    }

    /// <inheritdoc/>
    public override ActivationShardManifest Manifest { get; }

    /// <inheritdoc/>
    public override ActivationShardFormat Format => _parts[0].Format;

    /// <inheritdoc/>
    public override long ClipCount => Manifest.ClipCount ?? 0;

    /// <inheritdoc/>
    public override long TokenCount => Manifest.TokenCount ?? 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Parts => [.. _parts.SelectMany(p => p.Parts)];

    /// <summary>Subfolders of <paramref name="root"/> holding Arrow or Parquet activations, with their format.</summary>
    internal static List<(string Folder, ActivationShardFormat Format)> FindParts(string root) =>
        [.. Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Select(d => (d, ArrowActivationShardReader.Recognizes(d) ? ActivationShardFormat.Arrow
                : ParquetActivationShardReader.Recognizes(d) ? ActivationShardFormat.Parquet : (ActivationShardFormat?)null))
            .Where(p => p.Item2 is not null)
            .Select(p => (p.d, p.Item2!.Value))];

    internal static PartedActivationShardReader OpenParts(string root, bool allowIncomplete)
    {
        var found = FindParts(root);
        var format = found[0].Format;
        var parts = new List<ActivationShardReader>();
        foreach (var (folder, partFormat) in found)
        {
            if (partFormat != format)
            {
                throw new ActivationShardException(folder, $"holds {partFormat} activations but {found[0].Folder} holds {format}; parts must share one format.");
            }

            var part = Open(folder, allowIncomplete);
            var first = parts.Count > 0 ? parts[0].Manifest : part.Manifest;
            var manifest = part.Manifest;
            if (first.Width != manifest.Width || first.DataType != manifest.DataType || first.Model != manifest.Model || first.Tap != manifest.Tap)
            {
                throw new ActivationShardException(folder, $"part holds {manifest.Model} / {manifest.Tap} (d {manifest.Width}, {manifest.DataType}) but {found[0].Folder} holds {first.Model} / {first.Tap} (d {first.Width}, {first.DataType}).");
            }

            parts.Add(part);
        }

        return new PartedActivationShardReader(parts);
    }

    /// <inheritdoc/>
    public override IEnumerable<ActivationShardClip> ReadClips()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in _parts)
        {
            foreach (var clip in part.ReadClips())
            {
                if (!seen.Add(clip.ClipId))
                {
                    throw new ActivationShardException(part.Parts[0], $"clip '{clip.ClipId}' appears in more than one part.");
                }

                yield return clip;
            }
        }
    }
}
