using System.Text;

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
    public const char LabelSeparator = ';';

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
    /// <exception cref="LabelFileException">The file is malformed.</exception>
    public static ClipLabelSet ReadCsv(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads <c>clip,text</c> CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="LabelFileException">The data is malformed.</exception>
    public static ClipLabelSet ReadCsv(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var csv = new CsvRecords(reader, sourceName);
        if (!csv.TryRead(out var header, out var headerLine))
        {
            throw new LabelFileException(sourceName, 1, "the file is empty; expected the header row 'clip,text'.");
        }

        if (header.Count != 2
            || !header[0].Trim().TrimStart('\uFEFF').Equals("clip", StringComparison.OrdinalIgnoreCase)
            || !header[1].Trim().Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            throw new LabelFileException(
                sourceName, headerLine, $"expected the header row 'clip,text'; found '{string.Join(",", header)}'.");
        }

        var rows = new List<KeyValuePair<string, IEnumerable<string>>>();
        while (csv.TryRead(out var fields, out var line))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != 2)
            {
                throw new LabelFileException(
                    sourceName, line, $"expected 2 fields (clip,text); found {fields.Count}. Quote a text that holds commas.");
            }

            var clip = fields[0].Trim();
            if (clip.Length == 0)
            {
                throw new LabelFileException(sourceName, line, "the clip field is empty.");
            }

            rows.Add(new(clip, fields[1].Split(LabelSeparator)));
        }

        return new ClipLabelSet(rows);
    }

    /// <summary>Minimal RFC 4180 record reader.</summary>
    private sealed class CsvRecords(TextReader reader, string sourceName)
    {
        private int _line = 1;

        public bool TryRead(out List<string> fields, out int startLine)
        {
            fields = [];
            startLine = _line;
            int c = reader.Read();
            if (c < 0)
            {
                return false;
            }

            var field = new StringBuilder();
            bool quoted = false;
            bool fieldWasQuoted = false;
            while (true)
            {
                if (quoted)
                {
                    if (c < 0)
                    {
                        throw new LabelFileException(sourceName, startLine, "a quoted field is not closed before the end of the file.");
                    }

                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            _line++;
                        }

                        field.Append((char)c);
                    }
                }
                else if (c < 0 || c == '\n' || c == '\r')
                {
                    if (c == '\r' && reader.Peek() == '\n')
                    {
                        reader.Read();
                    }

                    if (c >= 0)
                    {
                        _line++;
                    }

                    fields.Add(field.ToString());
                    return true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                }
                else if (c == '"' && field.Length == 0 && !fieldWasQuoted)
                {
                    quoted = true;
                    fieldWasQuoted = true;
                }
                else
                {
                    field.Append((char)c);
                }

                c = reader.Read();
            }
        }
    }
}
