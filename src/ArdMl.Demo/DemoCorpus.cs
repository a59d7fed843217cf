using ArdMl.Concepts;

namespace ArdMl.Demo;

/// <summary>One clip of a demo corpus on disk.</summary>
/// <param name="FileName">File name relative to the clips folder.</param>
/// <param name="Path">Full path of the WAV file.</param>
/// <param name="Labels">Labels of the clip, in vocabulary order.</param>
/// <param name="Caption">The clip's caption (empty when captions.csv has none for it).</param>
public sealed record DemoCorpusEntry(string FileName, string Path, IReadOnlyList<string> Labels, string Caption);

/// <summary>Reads a corpus written by <see cref="DemoCorpusGenerator.Write"/> (or any folder in the same layout).</summary>
public sealed class DemoCorpus
{
    private DemoCorpus(string directory, IReadOnlyList<DemoCorpusEntry> entries)
    {
        Directory = directory;
        Entries = entries;
    }

    /// <summary>The corpus folder.</summary>
    public string Directory { get; }

    /// <summary>Clips in file-name order.</summary>
    public IReadOnlyList<DemoCorpusEntry> Entries { get; }

    /// <summary>
    /// Reads <c>labels.csv</c> and <c>captions.csv</c> of <paramref name="directory"/>. A label cell may also hold several
    /// labels separated by ';'. Every label must be in <see cref="DemoSoundLabels.All"/> and every clip file must exist.
    /// </summary>
    public static DemoCorpus Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = System.IO.Path.GetFullPath(directory);
        var labelsPath = System.IO.Path.Combine(root, DemoCorpusGenerator.LabelsFile);
        var labels = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var (clip, text, _) in ClipTextCsv.Read(labelsPath))
        {
            var set = labels.TryGetValue(clip, out var existing) ? existing : labels[clip] = [];
            foreach (var label in ClipTextCsv.SplitLabels(text))
            {
                if (!DemoSoundLabels.All.Contains(label))
                {
                    throw new InvalidDataException(
                        $"'{labelsPath}': clip '{clip}' has the label '{label}', which is not one of the demo labels ({string.Join(", ", DemoSoundLabels.All)}).");
                }

                set.Add(DemoSoundLabels.IndexOf(label));
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"'{labelsPath}' lists no clips.");
        }

        var captionsPath = System.IO.Path.Combine(root, DemoCorpusGenerator.CaptionsFile);
        var captions = File.Exists(captionsPath)
            ? ClipTextCsv.Read(captionsPath).GroupBy(r => r.ClipId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Text, StringComparer.Ordinal)
            : [];
        var entries = new List<DemoCorpusEntry>(labels.Count);
        foreach (var (clip, set) in labels)
        {
            var path = System.IO.Path.Combine(root, DemoCorpusGenerator.ClipsFolder, clip);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"'{labelsPath}' names the clip '{clip}', but '{path}' does not exist.", path);
            }

            entries.Add(new DemoCorpusEntry(clip, path, [.. set.Select(i => DemoSoundLabels.All[i])], captions.GetValueOrDefault(clip, "")));
        }

        return new DemoCorpus(root, entries);
    }
}
