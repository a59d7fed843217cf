namespace ArdMl.Concepts;

/// <summary>
/// Corpus statistics of a <see cref="CaptionTable"/> that the offline namer contrasts a concept's captions against:
/// phrase counts (captions) or per-label clip counts (labels).
/// </summary>
public sealed class CaptionCorpus
{
    private readonly Dictionary<string, long> _counts;

    private CaptionCorpus(CaptionTable table, CaptionKind kind, Dictionary<string, long> counts, long total)
    {
        Table = table;
        Kind = kind;
        _counts = counts;
        TotalCount = total;
    }

    /// <summary>The texts.</summary>
    public CaptionTable Table { get; }

    /// <summary>Whether the texts are captions or labels.</summary>
    public CaptionKind Kind { get; }

    /// <summary>Captions: total phrase occurrences; labels: total (clip, label) pairs.</summary>
    public long TotalCount { get; }

    /// <summary>Number of distinct phrase or label keys.</summary>
    public int DistinctCount => _counts.Count;

    /// <summary>
    /// Builds the statistics of <paramref name="table"/> read as <paramref name="kind"/>; read as labels, a text holding
    /// ';' counts as several labels (and <see cref="Table"/> holds them split).
    /// </summary>
    public static CaptionCorpus Create(CaptionTable table, CaptionKind kind)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (kind == CaptionKind.Labels)
        {
            table = table.SplitLabels();
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var clip in table.ClipIds)
        {
            if (kind == CaptionKind.Labels)
            {
                foreach (var key in table.TextsOf(clip).Select(CaptionPhrases.LabelKey).Distinct(StringComparer.Ordinal))
                {
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                    total++;
                }
            }
            else
            {
                foreach (var text in table.TextsOf(clip))
                {
                    foreach (var phrase in CaptionPhrases.Extract(text))
                    {
                        counts[phrase.Key] = counts.GetValueOrDefault(phrase.Key) + 1;
                        total++;
                    }
                }
            }
        }

        return new CaptionCorpus(table, kind, counts, total);
    }

    /// <summary>Captions: occurrences of the phrase key; labels: clips carrying the label key.</summary>
    internal long CountOf(string key) => _counts.GetValueOrDefault(key);
}
