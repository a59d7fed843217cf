using System.Text;

namespace ArdMl.Evaluation;

/// <summary>
/// The normal form used to match concept names to labels: lower-case (invariant culture); every run of characters that
/// are not letters or digits (spaces, punctuation, underscores, hyphens) becomes one space; trimmed; then each word is
/// reduced to a simple singular: <c>-ies</c> → <c>-y</c> (more than 4 letters: "babies" → "baby"), <c>-ches/-shes/-sses/-xes/-zes</c>
/// → drop <c>es</c> ("glasses" → "glass"), otherwise a final <c>s</c> is dropped unless the word ends in <c>ss</c>,
/// <c>us</c> or <c>is</c> or has at most 3 letters ("dogs" → "dog", "bus", "gas" stay). So "Male_speech, men" and
/// "male speech men" agree, and "Dogs barking" matches "dog barking".
/// </summary>
public static class LabelTextNormalizer
{
    /// <summary>Returns the normal form of <paramref name="text"/> (see the class remarks).</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(ch);
            }
            else if (word.Length > 0)
            {
                words.Add(Singular(word.ToString()));
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(Singular(word.ToString()));
        }

        return string.Join(' ', words);
    }

    private static string Singular(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }

        if (word.Length > 4
            && (word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
                || word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)
                || word.EndsWith("zes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }

        if (word.Length > 3 && word[^1] == 's'
            && !word.EndsWith("ss", StringComparison.Ordinal)
            && !word.EndsWith("us", StringComparison.Ordinal)
            && !word.EndsWith("is", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }
}
