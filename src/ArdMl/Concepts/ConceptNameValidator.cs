namespace ArdMl.Concepts;

/// <summary>
/// Cleans a language model's reply into a concept name, or says why it is not one. Rules, in order: the first
/// non-blank line is kept; a leading list marker ("-", "*", "1.") and label ("Name:", "Concept:", "Answer:", ...) are
/// removed; surrounding quotes, backticks and asterisks and trailing punctuation are stripped; whitespace is collapsed
/// and the text lower-cased. It is then rejected when empty, when it reads like a refusal or a sentence about the
/// captions ("I'm sorry", "As an AI", "The captions ..."), when it has no letter, is longer than the word or character
/// limit, or contains characters other than letters, digits, spaces, hyphens, apostrophes, '&amp;' or '/'.
/// </summary>
public static class ConceptNameValidator
{
    private static readonly string[] Labels =
        ["concept name", "concept", "name", "answer", "label", "phrase", "category", "result", "output"];

    private static readonly string[] NotANamePrefixes =
    [
        "i ", "i'm", "im ", "i am", "sorry", "as an", "unfortunately", "unable", "cannot", "can't", "there is", "there are",
        "the captions", "these captions", "the clips", "these clips", "the audio", "these sounds", "based on", "it seems",
        "here is", "here's", "sure", "certainly", "note",
    ];

    /// <summary>Tries to clean <paramref name="reply"/>; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryClean(string? reply, int maxWords, int maxCharacters, out string name, out string reason)
    {
        name = string.Empty;
        var line = (reply ?? string.Empty)
            .Split('\n')
            .Select(l => l.Trim())
            .FirstOrDefault(l => l.Length > 0);
        if (line is null)
        {
            reason = "the reply is empty";
            return false;
        }

        line = StripListMarker(line);
        line = StripLabel(line);
        line = line.Trim().Trim('"', '\'', '`', '*', '\u201C', '\u201D', '\u2018', '\u2019', '_').Trim();
        line = line.TrimEnd('.', ',', ';', ':', '!', '?', '\u2026').Trim();
        line = line.Trim('"', '\'', '`', '*', '\u201C', '\u201D', '\u2018', '\u2019').Trim();
        var collapsed = string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        if (collapsed.Length == 0)
        {
            reason = "the reply holds no name";
            return false;
        }

        if (NotANamePrefixes.Any(prefix => collapsed.StartsWith(prefix, StringComparison.Ordinal)))
        {
            reason = $"'{Shorten(collapsed)}' reads like a sentence or a refusal, not a name";
            return false;
        }

        if (!collapsed.Any(char.IsLetter))
        {
            reason = $"'{Shorten(collapsed)}' has no letters";
            return false;
        }

        var bad = collapsed.FirstOrDefault(ch => !(char.IsLetterOrDigit(ch) || ch is ' ' or '-' or '\'' or '&' or '/'));
        if (bad != default)
        {
            reason = $"'{Shorten(collapsed)}' contains the character '{bad}'";
            return false;
        }

        var words = collapsed.Split(' ').Length;
        if (words > maxWords)
        {
            reason = $"'{Shorten(collapsed)}' has {words} words (at most {maxWords})";
            return false;
        }

        if (collapsed.Length > maxCharacters)
        {
            reason = $"'{Shorten(collapsed)}' has {collapsed.Length} characters (at most {maxCharacters})";
            return false;
        }

        name = collapsed;
        reason = string.Empty;
        return true;
    }

    private static string StripListMarker(string line)
    {
        if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal)
            || line.StartsWith("• ", StringComparison.Ordinal))
        {
            return line[2..];
        }

        var digits = 0;
        while (digits < line.Length && char.IsDigit(line[digits]))
        {
            digits++;
        }

        return digits > 0 && digits + 1 < line.Length && line[digits] is '.' or ')' && line[digits + 1] == ' '
            ? line[(digits + 2)..]
            : line;
    }

    private static string StripLabel(string line)
    {
        var unwrapped = line.Trim('*').Trim();
        foreach (var label in Labels)
        {
            if (unwrapped.StartsWith(label, StringComparison.OrdinalIgnoreCase))
            {
                var rest = unwrapped[label.Length..].TrimStart('*').TrimStart();
                if (rest.StartsWith(':') || rest.StartsWith('='))
                {
                    return rest[1..];
                }
            }
        }

        return line;
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
