using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ArdMl.Concepts;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>--mean-mode</c> of the commands that name concepts (<c>ard discover</c>, <c>ard sweep</c>): <c>auto</c> (the
/// default: the run ranks and names its clips under both readings of μ and keeps the one whose names hold better),
/// <c>allframes</c> or <c>activeframes</c>. <c>auto</c> reads as null, the library's "chosen on the run's clips".
/// </summary>
internal static class MeanModeOption
{
    /// <summary>The value that leaves the choice to the run.</summary>
    public const string Auto = "auto";

    /// <summary>The values, as help shows them.</summary>
    public const string Values = "auto|allframes|activeframes";

    /// <summary>What each value means, for the option's description.</summary>
    public const string Meaning =
        "auto (the default: the run ranks and names its clips under both readings from the same SAE and keeps the one whose names hold better on its clips, "
        + "all frames where no captions or labels name the concepts; run.json records both criteria), allframes (zeros included: r = μ·c = ā·c², "
        + "ā the mean over the frames where the latent fires) or activeframes (r = ā·c)";

    /// <summary>One value: null for auto.</summary>
    public static Option<ClipMeanMode?> Single(string description) => new("--mean-mode")
    {
        Description = description,
        HelpName = Values,
        CustomParser = result => result.Tokens.Count == 0 ? null : Parse(result, result.Tokens[0].Value),
        DefaultValueFactory = _ => null,
    };

    /// <summary>A list, comma-separated or repeated (default: auto alone).</summary>
    public static Option<ClipMeanMode?[]> List(string description) => new("--mean-mode")
    {
        Description = description,
        HelpName = Values,
        CustomParser = result =>
        {
            var values = new List<ClipMeanMode?>();
            foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                var mode = Parse(result, part);
                if (result.Errors.Any())
                {
                    return [];
                }

                values.Add(mode);
            }

            if (values.Count == 0 && result.Tokens.Count > 0)
            {
                result.AddError("--mean-mode: no value given.");
            }

            return values.Count == 0 ? [null] : [.. values.Distinct()];
        },
        DefaultValueFactory = _ => [null],
    };

    /// <summary>The value's name (auto for null).</summary>
    public static string Name(ClipMeanMode? mode) => mode?.ToString().ToLowerInvariant() ?? Auto;

    private static ClipMeanMode? Parse(ArgumentResult result, string text)
    {
        if (string.Equals(text, Auto, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (Enum.TryParse<ClipMeanMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            return mode;
        }

        result.AddError($"--mean-mode: '{text}' is not one of auto, allframes, activeframes.");
        return null;
    }
}
