using System.Text;

namespace ArdMl.Concepts;

/// <summary>
/// Captions or labels of clips, read from a CSV file with header <c>clip,text</c> (RFC 4180: fields may be quoted
/// with <c>"</c>, a doubled <c>""</c> inside quotes is a quote, quoted fields may hold commas and line breaks; CRLF or
/// LF line ends; a UTF-8 byte-order mark is skipped). A clip may have several rows (several captions, or several
/// labels); read as labels (<see cref="CaptionKind.Labels"/>), a text also splits at ';' into several labels, as
/// everywhere else labels are read. Rows with empty text are skipped and counted. When the corpus's clip ids are given, rows naming other
/// clips are left out and reported in <see cref="UnknownClipIds"/>, and corpus clips without any text are reported in
/// <see cref="ClipsWithoutText"/>; neither is an error.
/// </summary>
public sealed class CaptionTable
{
    private readonly Dictionary<string, List<string>> _texts;

    private CaptionTable(
        Dictionary<string, List<string>> texts,
        IReadOnlyList<string> unknown,
        IReadOnlyList<string> withoutText,
        int emptyRows,
        int rows)
    {
        _texts = texts;
        UnknownClipIds = unknown;
        ClipsWithoutText = withoutText;
        EmptyTextRows = emptyRows;
        RowCount = rows;
    }

    /// <summary>Number of clips with at least one text.</summary>
    public int ClipCount => _texts.Count;

    /// <summary>Number of texts kept (rows with non-empty text naming a known clip).</summary>
    public int RowCount { get; }

    /// <summary>Distinct clip ids named by rows but absent from the corpus, in ordinal order.</summary>
    public IReadOnlyList<string> UnknownClipIds { get; }

    /// <summary>Corpus clips with no text, in ordinal order (empty when no corpus was given).</summary>
    public IReadOnlyList<string> ClipsWithoutText { get; }

    /// <summary>Number of rows skipped because their text was empty or blank.</summary>
    public int EmptyTextRows { get; }

    /// <summary>The clips that have texts, in ordinal order.</summary>
    public IReadOnlyList<string> ClipIds => [.. _texts.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The texts of <paramref name="clipId"/> in file order (empty when it has none).</summary>
    public IReadOnlyList<string> TextsOf(string clipId) =>
        _texts.TryGetValue(clipId, out var texts) ? texts : [];

    /// <summary>Reads a <c>clip,text</c> CSV file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="corpusClipIds">The corpus's clip ids (must be unique), or null to accept every clip.</param>
    /// <exception cref="ClipTextFileException">The file is malformed.</exception>
    /// <exception cref="DuplicateClipIdException">A corpus clip id occurs twice.</exception>
    public static CaptionTable ReadCsv(string path, IEnumerable<string>? corpusClipIds = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path, corpusClipIds);
    }

    /// <summary>Reads <c>clip,text</c> CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ClipTextFileException">The data is malformed.</exception>
    public static CaptionTable ReadCsv(TextReader reader, string sourceName, IEnumerable<string>? corpusClipIds = null)
    {
        var corpus = CorpusSet(corpusClipIds);
        return Build(ClipTextCsv.Read(reader, sourceName).Select(r => (r.ClipId, r.Text)), corpus);
    }

    /// <summary>Builds a table from (clip, text) pairs, with the same rules as <see cref="ReadCsv(string, IEnumerable{string}?)"/>.</summary>
    public static CaptionTable FromPairs(IEnumerable<(string ClipId, string Text)> pairs, IEnumerable<string>? corpusClipIds = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return Build(pairs, CorpusSet(corpusClipIds));
    }

    /// <summary>
    /// The same table read as labels: every text split at ';' into its labels (trimmed, blanks dropped, each label once
    /// per clip, in first-seen order).
    /// </summary>
    internal CaptionTable SplitLabels()
    {
        var texts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var kept = 0;
        foreach (var (clip, list) in _texts)
        {
            var labels = list.SelectMany(ClipTextCsv.SplitLabels).Distinct(StringComparer.Ordinal).ToList();
            if (labels.Count > 0)
            {
                texts[clip] = labels;
                kept += labels.Count;
            }
        }

        return new CaptionTable(texts, UnknownClipIds, ClipsWithoutText, EmptyTextRows, kept);
    }

    private static HashSet<string>? CorpusSet(IEnumerable<string>? corpusClipIds)
    {
        if (corpusClipIds is null)
        {
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in corpusClipIds)
        {
            if (!set.Add(id))
            {
                throw new DuplicateClipIdException(id, "the corpus clip ids given for the captions");
            }
        }

        return set;
    }

    private static CaptionTable Build(IEnumerable<(string ClipId, string Text)> pairs, HashSet<string>? corpus)
    {
        var texts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var empty = 0;
        var kept = 0;
        foreach (var (clipId, rawText) in pairs)
        {
            var text = rawText?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                empty++;
                continue;
            }

            if (corpus is not null && !corpus.Contains(clipId))
            {
                unknown.Add(clipId);
                continue;
            }

            if (!texts.TryGetValue(clipId, out var list))
            {
                texts[clipId] = list = [];
            }

            list.Add(text);
            kept++;
        }

        IReadOnlyList<string> without = corpus is null
            ? []
            : [.. corpus.Where(id => !texts.ContainsKey(id)).Order(StringComparer.Ordinal)];
        return new CaptionTable(texts, [.. unknown], without, empty, kept);
    }
}
