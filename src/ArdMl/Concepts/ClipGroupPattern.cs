using System.Text.RegularExpressions;

namespace ArdMl.Concepts;

/// <summary>
/// Finds a clip's group (speaker, recording, category) in its id with a regular expression: the first capture group,
/// or the whole match when the pattern has none. Used wherever clips must be split or averaged by group (the
/// detection score of concepts, the benchmark's group-disjoint roles).
/// </summary>
public sealed class ClipGroupPattern
{
    private readonly Regex _regex;

    private ClipGroupPattern(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    /// <summary>The pattern as given.</summary>
    public string Pattern { get; }

    /// <summary>Compiles <paramref name="pattern"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression (the message names it).</exception>
    public static ClipGroupPattern Create(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            return new ClipGroupPattern(pattern, new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The group pattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    /// <summary>The group of <paramref name="clipId"/>.</summary>
    /// <exception cref="ArgumentException">The pattern does not match the clip id (the message names both).</exception>
    public string GroupOf(string clipId)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        var match = _regex.Match(clipId);
        if (!match.Success)
        {
            throw new ArgumentException($"The group pattern '{Pattern}' does not match clip '{clipId}'; every clip needs a group.");
        }

        return match.Groups.Count > 1 && match.Groups[1].Success ? match.Groups[1].Value : match.Value;
    }
}
