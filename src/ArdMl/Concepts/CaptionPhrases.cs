using System.Globalization;
using System.Text;

namespace ArdMl.Concepts;

/// <summary>
/// Turns a caption into candidate phrases: lower-cased word tokens (letters and digits; an apostrophe inside a word
/// is dropped, a trailing "'s" removed), split into clauses at punctuation, and every 1- to 3-gram inside a clause
/// that neither starts nor ends with an English stop word (stop words inside, as in "sound of rain", are kept).
/// Each phrase has a key of light suffix-stripped stems ("dogs barking" and "dog barks" share "dog bark") used for
/// counting, and its surface text used for display.
/// </summary>
internal static class CaptionPhrases
{
    /// <summary>Longest phrase, in words.</summary>
    public const int MaximumWords = 3;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "of", "in", "on", "at", "to", "from", "by", "with",
        "without", "for", "into", "onto", "over", "under", "through", "during", "before", "after", "while", "as",
        "than", "then", "there", "here", "this", "that", "these", "those", "it", "its", "is", "are", "was", "were", "be",
        "been", "being", "am", "has", "have", "had", "having", "do", "does", "did", "can", "could", "will", "would",
        "shall", "should", "may", "might", "must", "some", "someone", "something", "somebody", "any", "all", "each",
        "both", "few", "more", "most", "other", "another", "such", "no", "not", "only", "own", "same", "too", "very",
        "just", "also", "again", "he", "she", "they", "them", "their", "his", "her", "him", "we", "you", "i", "me", "my",
        "our", "your", "who", "whom", "which", "what", "when", "where", "why", "how", "up", "down", "out", "off", "about",
        "around", "along", "against", "between", "behind", "above", "below", "near", "far", "if", "because", "until",
        "s", "t", "audio", "sound", "sounds", "clip", "recording", "heard", "hear", "hears", "followed", "several",
        "various", "many", "much", "continuously", "repeatedly",
    };

    /// <summary>The phrases of <paramref name="text"/>, one per occurrence.</summary>
    public static IEnumerable<(string Key, string Surface, int Words, int InnerStopWords)> Extract(string text)
    {
        foreach (var clause in Clauses(text))
        {
            for (var start = 0; start < clause.Count; start++)
            {
                if (StopWords.Contains(clause[start]))
                {
                    continue;
                }

                for (var n = 1; n <= MaximumWords && start + n <= clause.Count; n++)
                {
                    var last = clause[start + n - 1];
                    if (StopWords.Contains(last))
                    {
                        continue;
                    }

                    var words = clause.GetRange(start, n);
                    yield return (string.Join(' ', words.Select(Stem)), string.Join(' ', words), n, words.Count(StopWords.Contains));
                }
            }
        }
    }

    /// <summary>A label's counting key: lower-cased, whitespace collapsed.</summary>
    public static string LabelKey(string label) =>
        string.Join(' ', label.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Light English suffix stripping (plural, -ing, -ed), enough to merge inflections of one word.</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || word.All(char.IsDigit))
        {
            return word;
        }

        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }

        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
        {
            return UndoubleConsonant(word[..^3]);
        }

        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
        {
            return UndoubleConsonant(word[..^2]);
        }

        if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
            || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal)
            && !word.EndsWith("is", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }

    private static string UndoubleConsonant(string stem)
    {
        if (stem.Length >= 3 && stem[^1] == stem[^2] && !"aeioulsz".Contains(stem[^1], StringComparison.Ordinal))
        {
            return stem[..^1];
        }

        return stem;
    }

    private static List<List<string>> Clauses(string text)
    {
        var clauses = new List<List<string>>();
        var current = new List<string>();
        var word = new StringBuilder();

        void EndWord()
        {
            if (word.Length > 0)
            {
                var token = word.ToString();
                if (token.EndsWith("'s", StringComparison.Ordinal))
                {
                    token = token[..^2];
                }

                token = token.Replace("'", string.Empty, StringComparison.Ordinal);
                if (token.Length > 0)
                {
                    current.Add(token);
                }

                word.Clear();
            }
        }

        void EndClause()
        {
            EndWord();
            if (current.Count > 0)
            {
                clauses.Add(current);
                current = [];
            }
        }

        foreach (var raw in text.Normalize(NormalizationForm.FormKC))
        {
            var ch = char.ToLowerInvariant(raw);
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(ch);
            }
            else if ((ch == '\'' || ch == '\u2019') && word.Length > 0)
            {
                word.Append('\'');
            }
            else if (char.IsWhiteSpace(ch) || ch == '-' || ch == '/')
            {
                EndWord();
            }
            else
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(ch);
                if (category is UnicodeCategory.OtherPunctuation or UnicodeCategory.OpenPunctuation
                    or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                    or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.DashPunctuation)
                {
                    if (ch is '"' or '\u201C' or '\u201D' or '*')
                    {
                        EndWord();
                    }
                    else
                    {
                        EndClause();
                    }
                }
                else
                {
                    EndWord();
                }
            }
        }

        EndClause();
        return clauses;
    }
}
