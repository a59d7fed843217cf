using System.Globalization;
using System.Text;
using ArdMl.Concepts;

namespace ArdMl.Reporting;

/// <summary>
/// Per-clip concept scores: one row per clip, one column of r = μ·c per concept. Read from CSV whose header is the
/// clip-id column followed by one column per concept (RFC 4180 quoting on one line per record; numbers in invariant
/// culture; <c>NaN</c> allowed).
/// </summary>
public sealed class ClipScoreTable
{
    private readonly float[][] _columns;

    /// <summary>Creates a table from clip ids, column names and the scores of each column (one value per clip).</summary>
    /// <exception cref="ArgumentException">A column's length differs from the number of clips, or names and columns differ in count.</exception>
    public ClipScoreTable(IReadOnlyList<string> clipIds, IReadOnlyList<string> columnNames, IReadOnlyList<float[]> columns)
    {
        ArgumentNullException.ThrowIfNull(clipIds);
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(columns);
        if (columnNames.Count != columns.Count)
        {
            throw new ArgumentException($"{columnNames.Count} column names were given for {columns.Count} columns.", nameof(columnNames));
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Length != clipIds.Count)
            {
                throw new ArgumentException(
                    $"Column '{columnNames[i]}' has {columns[i].Length} values; expected one per clip ({clipIds.Count}).", nameof(columns));
            }
        }

        ClipIds = clipIds;
        ColumnNames = columnNames;
        _columns = [.. columns];
    }

    /// <summary>The clip ids, in row order.</summary>
    public IReadOnlyList<string> ClipIds { get; }

    /// <summary>The score columns' names (the header without the clip-id column).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The values of score column <paramref name="column"/>, one per clip in row order.</summary>
    public ReadOnlySpan<float> Column(int column) => _columns[column];

    /// <summary>
    /// Finds the score column of each concept of <paramref name="dictionary"/> (in dictionary order): by the concept
    /// names when they are unique and all present, else by a header naming the latent (<c>latent 12</c>,
    /// <c>latent_12</c> or <c>12</c>), else by position when there is exactly one column per concept.
    /// </summary>
    /// <exception cref="FormatException">The columns cannot be matched to the concepts.</exception>
    public IReadOnlyList<int> ColumnsOf(ConceptDictionary dictionary)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        var concepts = dictionary.Concepts;
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var repeatedNames = false;
        for (var i = 0; i < ColumnNames.Count; i++)
        {
            repeatedNames |= !byName.TryAdd(ColumnNames[i], i);
        }

        var namesUnique = concepts.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() == concepts.Count;
        if (namesUnique && !repeatedNames && concepts.All(c => byName.ContainsKey(c.Name)))
        {
            return [.. concepts.Select(c => byName[c.Name])];
        }

        var byLatent = new Dictionary<int, int>();
        for (var i = 0; i < ColumnNames.Count; i++)
        {
            if (TryParseLatentHeader(ColumnNames[i], out var latent))
            {
                byLatent.TryAdd(latent, i);
            }
        }

        if (concepts.All(c => byLatent.ContainsKey(c.Latent)))
        {
            return [.. concepts.Select(c => byLatent[c.Latent])];
        }

        if (ColumnNames.Count == concepts.Count)
        {
            return [.. Enumerable.Range(0, concepts.Count)];
        }

        throw new FormatException(
            $"The score table has {ColumnNames.Count} score columns ({string.Join(", ", ColumnNames.Take(5))}{(ColumnNames.Count > 5 ? ", ..." : "")}), " +
            $"which match neither the {concepts.Count} concept names, nor their latents ('latent N'), nor their count.");
    }

    /// <summary>Reads a score CSV file.</summary>
    /// <exception cref="FormatException">The file is malformed (the message names the file, line and column).</exception>
    public static ClipScoreTable ReadCsv(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads score CSV from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="FormatException">The text is malformed (the message names the source, line and column).</exception>
    public static ClipScoreTable ReadCsv(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var headerLine = reader.ReadLine() ?? throw new FormatException($"{sourceName}: the file is empty; expected a header 'clip,<concept>,...'.");
        var header = SplitRecord(headerLine, sourceName, 1);
        if (header.Count < 2)
        {
            throw new FormatException($"{sourceName}, line 1: expected a clip-id column followed by at least one score column; found '{headerLine}'.");
        }

        var names = header.Skip(1).ToList();
        var ids = new List<string>();
        var columns = names.Select(_ => new List<float>()).ToArray();
        var lineNumber = 1L;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = SplitRecord(line, sourceName, lineNumber);
            if (fields.Count != header.Count)
            {
                throw new FormatException($"{sourceName}, line {lineNumber}: {fields.Count} fields; the header has {header.Count}.");
            }

            ids.Add(fields[0]);
            for (var c = 0; c < names.Count; c++)
            {
                if (!float.TryParse(fields[c + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException(
                        $"{sourceName}, line {lineNumber}, column '{names[c]}': '{fields[c + 1]}' is not a number.");
                }

                columns[c].Add(value);
            }
        }

        return new ClipScoreTable(ids, names, [.. columns.Select(c => c.ToArray())]);
    }

    private static bool TryParseLatentHeader(string header, out int latent)
    {
        var text = header.Trim();
        if (text.StartsWith("latent", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..].TrimStart(' ', '_', '-');
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out latent);
    }

    private static List<string> SplitRecord(string line, string sourceName, long lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"{sourceName}, line {lineNumber}: a quoted field is not closed.");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ',')
                {
                    throw new FormatException($"{sourceName}, line {lineNumber}: unexpected '{line[i]}' after a closing quote; expected a comma.");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    field.Append(line[i++]);
                }
            }

            fields.Add(field.ToString());
            field.Clear();
            if (i >= line.Length)
            {
                return fields;
            }

            i++; // the comma
        }
    }
}
