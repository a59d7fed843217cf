using System.CommandLine;
using System.Globalization;
using ArdMl.Concepts;

namespace ArdMl.Cli.Commands;

/// <summary>
/// Library errors in the CLI's own words: option-record names become the flags that set them, .NET's argument
/// suffixes ("(Parameter 'k')", "Actual value was 32") are dropped, and a discovery that found no concept says which
/// flag to change. Also the parse-time range checks of numeric options, so that bad values never reach the library.
/// </summary>
internal static class CliErrorText
{
    /// <summary>Library option names and the flags that set them, longest first so that no name replaces part of another.</summary>
    private static readonly (string Name, string Flag)[] Flags =
    [
        ("MinimumMonosemanticity", "--min-monosemanticity"),
        ("MinimumDetectionScore", "--min-detection-score"),
        ("ModelStorage = PathWithChecksum", "--model-reference path"),
        ("MaxDurationSeconds", "--max-seconds"),
        ("Resume = false", "--fresh"),
        ("Raise Steps", "Raise --steps"),
        ("MaxClipsPerSet", "--clips-per-set"),
        ("MaxConcepts", "--max-concepts"),
        ("ClipSeconds", "--clip-seconds"),
        ("LatentCount", "--latents"),
        ("BatchSize", "--batch"),
        ("MaxClips", "--max-clips"),
    ];

    /// <summary>The message to print for <paramref name="exception"/>.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is NoConceptFoundException none)
        {
            return NoConcept(none);
        }

        var text = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            text = text.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal);
        }

        if (exception is ArgumentOutOfRangeException)
        {
            text = string.Join('\n', text.Split('\n').Where(line => !line.StartsWith("Actual value was", StringComparison.Ordinal))).TrimEnd();
        }

        foreach (var (name, flag) in Flags)
        {
            text = text.Replace(name, flag, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Refuses values of <paramref name="option"/> below <paramref name="minimum"/> at parse time.</summary>
    public static T AtLeast<T>(this T option, int minimum)
        where T : Option
    {
        option.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 0 ? (int?)null
                : int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            if (value < minimum)
            {
                result.AddError($"{option.Name} must be at least {minimum} (got {value}).");
            }
        });
        return option;
    }

    /// <summary>
    /// Refuses, at parse time, values of an enum option that name no member: System.CommandLine's enum parsing takes
    /// any number (<c>--mean-mode 2</c>). The names are the members', lower-case.
    /// </summary>
    public static T NamedValuesOnly<T, TEnum>(this T option)
        where T : Option
        where TEnum : struct, Enum
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!Enum.TryParse<TEnum>(token.Value, ignoreCase: true, out var value) || !Enum.IsDefined(value)
                    || int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    result.AddError($"{option.Name}: '{token.Value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.");
                }
            }
        });
        return option;
    }

    private static string NoConcept(NoConceptFoundException e)
    {
        var minimum = e.MinimumMonosemanticity is { } min ? min.ToString(CultureInfo.InvariantCulture) : "none";
        var advice = e.TooFewClipLatents + e.DeadLatents >= e.ScoredLatents
            ? $"With {e.ClipCount} clips, give fewer latents so that each fires on more clips: try --latents {SuggestedLatents(e)} " +
              $"(now {e.LatentCount}), or add clips. Lowering --min-monosemanticity helps only the {e.ScoredLatents} scored latent(s)."
            : $"Lower --min-monosemanticity (now {minimum}) or add clips.";
        return $"No concept found, so no run folder was written: of {e.LatentCount} latents over {e.ClipCount} clips, {e.DeadLatents} never fire, " +
            $"{e.TooFewClipLatents} fire on fewer than the {e.ClipsPerSet + 2} clips a concept needs ({e.ClipsPerSet} top clips and two bottom clips), " +
            $"and {e.ScoredLatents} scored at or below --min-monosemanticity {minimum}. {advice}";
    }

    /// <summary>A latent count under which an average latent fires on about twice the clips a concept needs (at least 8).</summary>
    private static int SuggestedLatents(NoConceptFoundException e)
    {
        var live = Math.Max(1, e.LatentCount - e.DeadLatents);
        var target = (int)Math.Floor(live * (double)e.ClipCount / (4.0 * (e.ClipsPerSet + 2)));
        return Math.Clamp(target, 8, Math.Max(8, e.LatentCount / 2));
    }
}
