using System.Text;

namespace ArdMl.Demo;

/// <summary>RFC 4180 reading and writing of the two-column <c>clip,text</c> files of the demo corpus.</summary>
internal static class DemoCsv
{
    public const string Header = "clip,text";

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    /// <summary>Writes the header and one CRLF-terminated record per row, UTF-8 without byte-order mark.</summary>
    public static void Write(string path, IEnumerable<(string Clip, string Text)> rows)
    {
        var text = new StringBuilder();
        text.Append(Header).Append("\r\n");
        foreach (var (clip, value) in rows)
        {
            text.Append(Quote(clip)).Append(',').Append(Quote(value)).Append("\r\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    /// <summary>Reads the records after the <c>clip,text</c> header; throws naming the file and line on malformed input.</summary>
    public static List<(string Clip, string Text)> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Demo corpus file '{path}' does not exist.", path);
        }

        var content = File.ReadAllText(path, Encoding.UTF8);
        var records = Parse(content, path);
        if (records.Count == 0 || records[0].Fields.Count != 2 || records[0].Fields[0] != "clip" || records[0].Fields[1] != "text")
        {
            throw new InvalidDataException($"'{path}', line 1: expected the header row '{Header}'.");
        }

        var rows = new List<(string, string)>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != 2 || fields[0].Length == 0)
            {
                throw new InvalidDataException($"'{path}', line {line}: expected 2 fields 'clip,text' with a non-empty clip; found {fields.Count} field(s).");
            }

            rows.Add((fields[0], fields[1]));
        }

        return rows;
    }

    private static List<(int Line, List<string> Fields)> Parse(string content, string path)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = content.Length > 0 && content[0] == '\uFEFF' ? 1 : 0;
        var quoted = false;
        var any = false;
        while (i < content.Length)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < content.Length && content[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                    i++;
                    continue;
                }

                if (c == '\n')
                {
                    line++;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case '"':
                    throw new InvalidDataException($"'{path}', line {line}: a quote inside an unquoted field; quote the whole field and double the quote.");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r' when i + 1 < content.Length && content[i + 1] == '\n':
                    break;
                case '\r' or '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add((recordLine, fields));
                    fields = [];
                    any = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }

            i++;
        }

        if (quoted)
        {
            throw new InvalidDataException($"'{path}', line {recordLine}: a quoted field is not closed before the end of the file.");
        }

        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        return records;
    }
}
