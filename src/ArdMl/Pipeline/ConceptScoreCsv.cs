using System.Globalization;
using System.Text;

namespace ArdMl.Pipeline;

/// <summary>The per-clip concept scores CSV: header <c>clip,&lt;concept name&gt;,...</c>, one row per clip.</summary>
public static class ConceptScoreCsv
{
    /// <summary>Makes names unique in order: a repeated name gets " (2)", " (3)"... ("tone", "tone (2)").</summary>
    /// <param name="names">Concept names in dictionary order.</param>
    public static IReadOnlyList<string> UniqueNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new string[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            var name = names[i];
            for (int n = 2; !used.Add(name); n++)
            {
                name = $"{names[i]} ({n})";
            }

            result[i] = name;
        }

        return result;
    }

    /// <summary>Writes the CSV (RFC 4180 quoting; scores in invariant round-trip format).</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="conceptNames">Column names (made unique here).</param>
    /// <param name="rows">Clip id and one score per concept.</param>
    public static void Write(string path, IReadOnlyList<string> conceptNames, IEnumerable<(string Clip, float[] Scores)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var names = UniqueNames(conceptNames);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("clip");
        foreach (var name in names)
        {
            writer.Write(',');
            writer.Write(Quote(name));
        }

        writer.Write('\n');
        foreach (var (clip, scores) in rows)
        {
            if (scores.Length != names.Count)
            {
                throw new ArgumentException($"Clip '{clip}' has {scores.Length} scores; expected {names.Count} (one per concept).", nameof(rows));
            }

            writer.Write(Quote(clip));
            foreach (var score in scores)
            {
                writer.Write(',');
                writer.Write(score.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.Write('\n');
        }
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
