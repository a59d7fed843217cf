using System.Text;

namespace ArdMl.Concepts;

/// <summary>
/// The one CSV layout of ArdMl's captions and labels files: a header row <c>clip,text</c>, then one record per (clip,
/// text) pair. RFC 4180: fields may be quoted with <c>"</c>, a doubled <c>""</c> inside quotes is a quote, quoted fields
/// may hold commas and line breaks; CRLF or LF line ends; a UTF-8 byte-order mark is skipped. In a labels file,
/// <see cref="LabelSeparator"/> separates several labels inside one text (captions are free text and are not split).
/// </summary>
internal static class ClipTextCsv
{
    /// <summary>The header row.</summary>
    public const string Header = "clip,text";

    /// <summary>The character that separates several labels inside one text of a labels file.</summary>
    public const char LabelSeparator = ';';

    /// <summary>The labels of one text: split at <see cref="LabelSeparator"/>, trimmed, blanks dropped.</summary>
    public static IEnumerable<string> SplitLabels(string text) =>
        text.Split(LabelSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads the records of <paramref name="path"/> after its header.</summary>
    /// <exception cref="ClipTextFileException">The file is malformed.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static List<ClipTextRow> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The clip,text CSV file '{path}' does not exist.", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads the records of <paramref name="reader"/> after its header; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ClipTextFileException">The data is malformed.</exception>
    public static List<ClipTextRow> Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var records = new RecordReader(reader, sourceName);
        if (!records.TryRead(out var header, out var headerLine))
        {
            throw new ClipTextFileException(sourceName, 1, $"the file is empty; expected the header row '{Header}'.");
        }

        if (header.Count != 2
            || !header[0].Trim().TrimStart('\uFEFF').Equals("clip", StringComparison.OrdinalIgnoreCase)
            || !header[1].Trim().Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            throw new ClipTextFileException(sourceName, headerLine, $"expected the header row '{Header}'; found '{string.Join(",", header)}'.");
        }

        var rows = new List<ClipTextRow>();
        while (records.TryRead(out var fields, out var line))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != 2)
            {
                throw new ClipTextFileException(sourceName, line, $"expected 2 fields (clip,text); found {fields.Count}. Quote a text that holds commas.");
            }

            var clip = fields[0].Trim();
            if (clip.Length == 0)
            {
                throw new ClipTextFileException(sourceName, line, "the clip id is empty.");
            }

            rows.Add(new ClipTextRow(clip, fields[1], line));
        }

        return rows;
    }

    /// <summary>Writes the header and one CRLF-terminated record per row, UTF-8 without byte-order mark.</summary>
    public static void Write(string path, IEnumerable<(string ClipId, string Text)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append(Header).Append("\r\n");
        foreach (var (clip, value) in rows)
        {
            text.Append(Quote(clip)).Append(',').Append(Quote(value)).Append("\r\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    /// <summary>The field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a quote or a line break.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    /// <summary>RFC 4180 record reader that counts lines for error messages.</summary>
    private sealed class RecordReader(TextReader reader, string sourceName)
    {
        private long _line = 1;

        public bool TryRead(out List<string> fields, out long startLine)
        {
            fields = [];
            startLine = _line;
            if (reader.Peek() < 0)
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
                        throw new ClipTextFileException(
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
                    throw new ClipTextFileException(sourceName, openedAt, "a quoted field is not closed before the end of the file (missing '\"').");
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

/// <summary>One record of a <c>clip,text</c> CSV file: the clip id (trimmed), its text as written, and its first line.</summary>
internal readonly record struct ClipTextRow(string ClipId, string Text, long Line);
