using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>
/// The encoded parts of one corpus, checked to belong together (one model, tap, width and SAE; every part of an
/// i/n split present) and read as one stream of clip statistics in the order the shard reader reads the parts
/// (ordinal order of the part names), so a merge sees the clips in the order of a one-process run.
/// </summary>
internal sealed class EncodedPartSet
{
    private EncodedPartSet(List<(string Directory, EncodedPartManifest Manifest)> parts)
    {
        Parts = parts;
    }

    /// <summary>The parts, in merge order.</summary>
    public IReadOnlyList<(string Directory, EncodedPartManifest Manifest)> Parts { get; }

    /// <summary>The manifest of the first part (all share model, tap, width and SAE).</summary>
    public EncodedPartManifest First => Parts[0].Manifest;

    /// <summary>Clips across all parts.</summary>
    public int ClipCount => Parts.Sum(p => p.Manifest.ClipCount);

    /// <summary>Frames across all parts.</summary>
    public long FrameCount => Parts.Sum(p => p.Manifest.FrameCount);

    /// <summary>The folder holding every part's shard folder, where they share one (what a one-process run reads), else null.</summary>
    public string? CommonActivationsDirectory =>
        Parts.Select(p => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(p.Manifest.ActivationsDirectory))).Distinct(StringComparer.Ordinal).ToList() is [{ } parent]
            ? parent
            : null;

    /// <summary>Finds the parts under <paramref name="paths"/> and checks them against each other and the SAE.</summary>
    /// <exception cref="InvalidDataException">Parts of different models, taps, widths or SAEs, duplicates, unfinished or missing parts.</exception>
    public static EncodedPartSet Open(IEnumerable<string> paths, string saeDirectory, string saeSha256)
    {
        var folders = new List<string>();
        var unfinished = new List<string>();
        foreach (var given in paths.Select(Path.GetFullPath))
        {
            if (File.Exists(Path.Combine(given, EncodedPartManifest.FileName)))
            {
                folders.Add(given);
                continue;
            }

            if (!Directory.Exists(given))
            {
                throw new DirectoryNotFoundException($"Encoded part folder '{given}' does not exist.");
            }

            var subfolders = Directory.GetDirectories(given).Order(StringComparer.Ordinal).ToList();
            folders.AddRange(subfolders.Where(d => File.Exists(Path.Combine(d, EncodedPartManifest.FileName))));
            unfinished.AddRange(subfolders.Where(d => !File.Exists(Path.Combine(d, EncodedPartManifest.FileName))
                && File.Exists(Path.Combine(d, EncodedPartManifest.StatisticsFileName))));
            if (unfinished.Count == 0 && !subfolders.Any(d => File.Exists(Path.Combine(d, EncodedPartManifest.FileName))))
            {
                throw new InvalidDataException($"'{given}' holds no encoded part: no {EncodedPartManifest.FileName} in it or in a subfolder (run 'ard encode' first).");
            }
        }

        if (unfinished.Count > 0)
        {
            throw new InvalidDataException(
                $"Unfinished encode (no {EncodedPartManifest.FileName}): {string.Join(", ", unfinished)}; rerun 'ard encode' on these parts.");
        }

        var parts = folders.Distinct(StringComparer.Ordinal).Select(f => (Directory: f, Manifest: EncodedPartManifest.Load(f)))
            .OrderBy(p => p.Manifest.Part, StringComparer.Ordinal).ToList();
        var duplicate = parts.GroupBy(p => p.Manifest.Part, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"Part '{duplicate.Key}' is given twice: {string.Join(" and ", duplicate.Select(p => p.Directory))}.");
        }

        var (firstFolder, first) = parts[0];
        foreach (var (folder, part) in parts.Skip(1))
        {
            if (part.MeanMode != first.MeanMode)
            {
                throw new InvalidDataException(
                    $"Parts of different mean modes: '{folder}' averages μ over {Describe(part.MeanMode)} but '{firstFolder}' over {Describe(first.MeanMode)}; " +
                    "encode every part with the same --mean-mode.");
            }

            if (part.Model != first.Model || part.ModelSha256 != first.ModelSha256 || part.Tap != first.Tap || part.Width != first.Width)
            {
                throw new InvalidDataException(
                    $"Parts of different activations: '{folder}' holds {part.Model} / {part.Tap} (d {part.Width}, model sha256 {part.ModelSha256 ?? "unknown"}) " +
                    $"but '{firstFolder}' holds {first.Model} / {first.Tap} (d {first.Width}, model sha256 {first.ModelSha256 ?? "unknown"}).");
            }
        }

        foreach (var (folder, part) in parts)
        {
            if (part.SaeSha256 != saeSha256)
            {
                throw new InvalidDataException(
                    $"Part '{folder}' was encoded with the SAE '{part.SaeDirectory}' (sha256 {part.SaeSha256}), not with '{saeDirectory}' (sha256 {saeSha256}); " +
                    "encode every part with the one SAE given to 'ard rank'.");
            }
        }

        CheckComplete(parts);
        return new EncodedPartSet(parts);
    }

    private static string Describe(Concepts.ClipMeanMode mode) => mode == Concepts.ClipMeanMode.ActiveFrames ? "the active frames" : "all frames";

    /// <summary>
    /// Every part's statistics, dense, part after part; each part's file is checked against its manifest (columns,
    /// sizes, clip count) as it is read. Each enumeration reads the files again (one clip in memory at a time).
    /// </summary>
    public IEnumerable<ClipStatisticsStore.Row> ReadRows(MLContext ml)
    {
        foreach (var (folder, manifest) in Parts)
        {
            var path = Path.Combine(folder, EncodedPartManifest.StatisticsFileName);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Encoded part '{folder}' has no {EncodedPartManifest.StatisticsFileName}; rerun 'ard encode' on it.", path);
            }

            var data = ml.Data.LoadFromBinary(path);
            try
            {
                var columns = new[]
                {
                    Column(data, path, nameof(ClipStatisticsStore.Row.Clip), 0),
                    Column(data, path, nameof(ClipStatisticsStore.Row.MeanActivation), manifest.LatentCount),
                    Column(data, path, nameof(ClipStatisticsStore.Row.Coverage), manifest.LatentCount),
                    Column(data, path, nameof(ClipStatisticsStore.Row.RawMeanActivation), manifest.Width),
                    Column(data, path, nameof(ClipStatisticsStore.Row.RawCoverage), manifest.Width),
                    Column(data, path, nameof(ClipStatisticsStore.Row.Embedding), manifest.Width),
                };
                var count = 0;
                using (var cursor = data.GetRowCursor(columns))
                {
                    var clip = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
                    var vectors = columns.Skip(1).Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
                    ReadOnlyMemory<char> clipValue = default;
                    VBuffer<float> value = default;
                    while (cursor.MoveNext())
                    {
                        clip(ref clipValue);
                        var dense = new float[vectors.Length][];
                        for (var i = 0; i < vectors.Length; i++)
                        {
                            vectors[i](ref value);
                            dense[i] = new float[value.Length];
                            value.CopyTo(dense[i]);
                        }

                        count++;
                        yield return new ClipStatisticsStore.Row
                        {
                            Clip = clipValue.ToString(),
                            MeanActivation = dense[0],
                            Coverage = dense[1],
                            RawMeanActivation = dense[2],
                            RawCoverage = dense[3],
                            Embedding = dense[4],
                        };
                    }
                }

                if (count != manifest.ClipCount)
                {
                    throw new InvalidDataException($"'{path}' holds {count} clips but its {EncodedPartManifest.FileName} says {manifest.ClipCount}; rerun 'ard encode' on the part.");
                }
            }
            finally
            {
                (data as IDisposable)?.Dispose();
            }
        }
    }

    private static DataViewSchema.Column Column(IDataView data, string path, string name, int size)
    {
        var column = data.Schema.GetColumnOrNull(name);
        var fits = column?.Type switch
        {
            TextDataViewType => size == 0,
            VectorDataViewType { ItemType: var item, Size: var length } => item == NumberDataViewType.Single && length == size,
            _ => false,
        };
        return fits
            ? column!.Value
            : throw new InvalidDataException(size == 0
                ? $"'{path}': column '{name}' is missing or not text."
                : $"'{path}': column '{name}' is missing or not a vector of {size} Single values.");
    }

    private static void CheckComplete(List<(string Directory, EncodedPartManifest Manifest)> parts)
    {
        var splits = parts.Select(p => p.Manifest.Shard).ToList();
        if (splits.Any(s => s is null))
        {
            return; // folders not written as parts of one split: nothing to count
        }

        var parsed = splits.Select(s => s!.Split('/')).Select(x => (Index: int.Parse(x[0], CultureInfo.InvariantCulture), Count: int.Parse(x[1], CultureInfo.InvariantCulture))).ToList();
        var counts = parsed.Select(p => p.Count).Distinct().ToList();
        if (counts.Count > 1)
        {
            throw new InvalidDataException($"Parts of different splits: {string.Join(", ", parts.Select(p => $"{p.Manifest.Part} (--shard {p.Manifest.Shard})"))}.");
        }

        var missing = Enumerable.Range(0, counts[0]).Except(parsed.Select(p => p.Index)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"Parts missing from the {counts[0]}-part split: {string.Join(", ", missing.Select(i => string.Create(CultureInfo.InvariantCulture, $"part-{i}-of-{counts[0]}")))}; " +
                "encode them (ard encode) before ranking.");
        }
    }
}
