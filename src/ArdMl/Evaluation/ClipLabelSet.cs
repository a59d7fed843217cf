using System.Text;
using ArdMl.Concepts;

namespace ArdMl.Evaluation;

/// <summary>
/// The ground-truth labels of a benchmark's clips (multi-label). Read from a CSV file with the header row
/// <c>clip,text</c>: each row names one clip and, in <c>text</c>, one or more labels separated by <c>;</c>
/// (for example <c>101.wav,Dog;Bark;Animal</c>). A clip may also have several rows; its labels are the union.
/// Fields follow RFC 4180 (quotes with <c>"</c>, a doubled <c>""</c> is a quote, quoted fields may hold commas);
/// CRLF or LF line ends; a UTF-8 byte-order mark is skipped. Labels are trimmed, blank labels are ignored, and a clip
/// whose rows hold no label at all is kept as a clip without labels (a true negative for every label).
/// Labels keep their spelling; comparison is ordinal (matching concept names to labels is done by
/// <see cref="ConceptLabelMapper"/>).
/// </summary>
public sealed class ClipLabelSet
{
    /// <summary>The character that separates labels inside the <c>text</c> field.</summary>
    public const char LabelSeparator = ClipTextCsv.LabelSeparator;

    private readonly Dictionary<string, HashSet<string>> _labels;

    /// <summary>Creates a label set from clip ids and their labels.</summary>
    /// <param name="labels">Clip id → labels; ids and labels must be non-empty.</param>
    public ClipLabelSet(IEnumerable<KeyValuePair<string, IEnumerable<string>>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        _labels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (clip, clipLabels) in labels)
        {
            if (string.IsNullOrWhiteSpace(clip))
            {
                throw new ArgumentException("A clip id is empty.", nameof(labels));
            }

            if (!_labels.TryGetValue(clip, out var set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                _labels.Add(clip, set);
            }

            foreach (var label in clipLabels ?? [])
            {
                var trimmed = label?.Trim();
                if (!string.IsNullOrEmpty(trimmed))
                {
                    set.Add(trimmed);
                }
            }
        }

        ClipIds = [.. _labels.Keys.Order(StringComparer.Ordinal)];
        Vocabulary = [.. _labels.Values.SelectMany(s => s).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>All clips, in ordinal order of their ids.</summary>
    public IReadOnlyList<string> ClipIds { get; }

    /// <summary>All distinct labels, in ordinal order.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Whether <paramref name="clipId"/> is one of the labelled clips.</summary>
    public bool Contains(string clipId) => _labels.ContainsKey(clipId);

    /// <summary>The labels of <paramref name="clipId"/> (empty when the clip is unknown or has none).</summary>
    public IReadOnlySet<string> LabelsOf(string clipId) =>
        _labels.TryGetValue(clipId, out var set) ? set : new HashSet<string>();

    /// <summary>Whether <paramref name="clipId"/> carries <paramref name="label"/> (ordinal comparison).</summary>
    public bool HasLabel(string clipId, string label) =>
        _labels.TryGetValue(clipId, out var set) && set.Contains(label);

    /// <summary>Reads a <c>clip,text</c> CSV file (see the class remarks for the format).</summary>
    /// <exception cref="ClipTextFileException">The file is malformed.</exception>
    public static ClipLabelSet ReadCsv(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads <c>clip,text</c> CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ClipTextFileException">The data is malformed.</exception>
    public static ClipLabelSet ReadCsv(TextReader reader, string sourceName) =>
        new(ClipTextCsv.Read(reader, sourceName).Select(r => new KeyValuePair<string, IEnumerable<string>>(r.ClipId, ClipTextCsv.SplitLabels(r.Text))));
}
