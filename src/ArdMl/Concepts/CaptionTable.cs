using System.Text;

namespace ArdMl.Concepts;

/// <summary>
/// Captions or labels of clips, read from a CSV file with header <c>clip,text</c> (RFC 4180: fields may be quoted
/// with <c>"</c>, a doubled <c>""</c> inside quotes is a quote, quoted fields may hold commas and line breaks; CRLF or
/// LF line ends; a UTF-8 byte-order mark is skipped). A clip may have several rows (several captions, or several
/// labels). Rows with empty text are skipped and counted. When the corpus's clip ids are given, rows naming other
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
    /// <exception cref="CaptionFileException">The file is malformed.</exception>
    /// <exception cref="DuplicateClipIdException">A corpus clip id occurs twice.</exception>
    public static CaptionTable ReadCsv(string path, IEnumerable<string>? corpusClipIds = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path, corpusClipIds);
    }

    /// <summary>Reads <c>clip,text</c> CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static CaptionTable ReadCsv(TextReader reader, string sourceName, IEnumerable<string>? corpusClipIds = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var corpus = CorpusSet(corpusClipIds);
        var records = new CsvRecordReader(reader, sourceName);
        if (!records.TryRead(out var header, out var headerLine))
        {
            throw new CaptionFileException(sourceName, 1, "the file is empty; expected a header row 'clip,text'.");
        }

        if (header.Count != 2
            || !header[0].Trim().Equals("clip", StringComparison.OrdinalIgnoreCase)
            || !header[1].Trim().Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            throw new CaptionFileException(
                sourceName, headerLine, $"expected the header row 'clip,text'; found '{string.Join(",", header)}'.");
        }

        var rows = new List<(string ClipId, string Text, long Line)>();
        while (records.TryRead(out var fields, out var line))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != 2)
            {
                throw new CaptionFileException(
                    sourceName, line, $"expected 2 fields (clip,text); found {fields.Count}. Quote texts that contain commas.");
            }

            var clip = fields[0].Trim();
            if (clip.Length == 0)
            {
                throw new CaptionFileException(sourceName, line, "the clip id is empty.");
            }

            rows.Add((clip, fields[1], line));
        }

        return Build(rows.Select(r => (r.ClipId, r.Text)), corpus);
    }

    /// <summary>Builds a table from (clip, text) pairs, with the same rules as <see cref="ReadCsv(string, IEnumerable{string}?)"/>.</summary>
    public static CaptionTable FromPairs(IEnumerable<(string ClipId, string Text)> pairs, IEnumerable<string>? corpusClipIds = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return Build(pairs, CorpusSet(corpusClipIds));
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

    /// <summary>RFC 4180 record reader.</summary>
    private sealed class CsvRecordReader(TextReader reader, string sourceName)
    {
        private long _line = 1;

        public bool TryRead(out List<string> fields, out long startLine)
        {
            fields = [];
            startLine = _line;
            var next = reader.Peek();
            if (next < 0)
            {
                return false;
            }

            var field = new StringBuilder();
            while (true)
            {
                var ch = reader.Read();
                if (ch == '"' && field.Length == 0)
                {
                    ReadQuoted(field);
                    ch = reader.Read();
                    if (ch is not (',' or '\r' or '\n' or -1))
                    {
                        throw new CaptionFileException(
                            sourceName, _line, $"unexpected character '{(char)ch}' after a closing quote; expected a comma or the end of the line.");
                    }
                }

                switch (ch)
                {
                    case -1:
                        fields.Add(field.ToString());
                        return true;
                    case ',':
                        fields.Add(field.ToString());
                        field.Clear();
                        break;
                    case '\r':
                        if (reader.Peek() == '\n')
                        {
                            reader.Read();
                        }

                        fields.Add(field.ToString());
                        _line++;
                        return true;
                    case '\n':
                        fields.Add(field.ToString());
                        _line++;
                        return true;
                    default:
                        field.Append((char)ch);
                        break;
                }
            }
        }

        private void ReadQuoted(StringBuilder field)
        {
            var openedAt = _line;
            while (true)
            {
                var ch = reader.Read();
                if (ch < 0)
                {
                    throw new CaptionFileException(sourceName, openedAt, "a quoted field is never closed (missing '\"').");
                }

                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                        continue;
                    }

                    return;
                }

                if (ch == '\n')
                {
                    _line++;
                }

                field.Append((char)ch);
            }
        }
    }
}
