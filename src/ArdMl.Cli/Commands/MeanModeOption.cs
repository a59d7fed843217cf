using System.CommandLine;
using System.Globalization;
using ArdMl.Concepts;

namespace ArdMl.Cli.Commands;

/// <summary>The values of <c>--mean-mode</c> in every command: what a clip's μ averages over, or <c>auto</c>.</summary>
internal enum MeanModeArgument
{
    /// <summary>Chosen on the clips that discovery sees (<see cref="Pipeline.ClipMeanModeChoice"/>).</summary>
    Auto,

    /// <summary><see cref="ClipMeanMode.AllFrames"/>.</summary>
    AllFrames,

    /// <summary><see cref="ClipMeanMode.ActiveFrames"/>.</summary>
    ActiveFrames,
}

/// <summary>
/// <c>--mean-mode</c>: <c>auto</c> (in <c>ard discover</c> and <c>ard sweep</c> the default: the run ranks and names
/// its clips under both readings of μ and keeps the one whose names hold better; in <c>ard eval</c> each fold chooses
/// on its discovery clips), <c>allframes</c> or <c>activeframes</c>. <c>ard encode</c> takes a fixed reading only.
/// </summary>
internal static class MeanModeOption
{
    /// <summary>What each value means in discovery, for the option's description.</summary>
    public const string Meaning =
        "auto (the default: the run ranks and names its clips under both readings from the same SAE and keeps the one whose names hold better on its clips, "
        + "all frames where no captions or labels name the concepts; run.json records both criteria), allframes (zeros included: r = μ·c = ā·c², "
        + "ā the mean over the frames where the latent fires) or activeframes (r = ā·c)";

    /// <summary>One value with a default.</summary>
    public static Option<MeanModeArgument> Single(string description, MeanModeArgument defaultValue) => new Option<MeanModeArgument>("--mean-mode")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    }.NamedValuesOnly<Option<MeanModeArgument>, MeanModeArgument>();

    /// <summary>One value, null where it is not given.</summary>
    public static Option<MeanModeArgument?> Optional(string description) => new Option<MeanModeArgument?>("--mean-mode")
    {
        Description = description,
    }.NamedValuesOnly<Option<MeanModeArgument?>, MeanModeArgument>();

    /// <summary>A list, comma-separated or repeated (default: auto alone).</summary>
    public static Option<MeanModeArgument[]> List(string description) => new("--mean-mode")
    {
        Description = description,
        CustomParser = result =>
        {
            var values = new List<MeanModeArgument>();
            foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!Enum.TryParse<MeanModeArgument>(part, ignoreCase: true, out var value) || !Enum.IsDefined(value)
                    || int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    result.AddError($"--mean-mode: '{part}' is not one of auto, allframes, activeframes.");
                    return [];
                }

                values.Add(value);
            }

            if (values.Count == 0 && result.Tokens.Count > 0)
            {
                result.AddError("--mean-mode: no value given.");
            }

            return values.Count == 0 ? [MeanModeArgument.Auto] : [.. values.Distinct()];
        },
        DefaultValueFactory = _ => [MeanModeArgument.Auto],
    };

    /// <summary>The library's reading: null for auto.</summary>
    public static ClipMeanMode? ToMode(this MeanModeArgument value) => value switch
    {
        MeanModeArgument.AllFrames => ClipMeanMode.AllFrames,
        MeanModeArgument.ActiveFrames => ClipMeanMode.ActiveFrames,
        _ => null,
    };

    /// <summary>Refuses <c>auto</c> where a command cannot choose (the reason completes "auto cannot be chosen here: ...").</summary>
    public static Option<MeanModeArgument> FixedOnly(this Option<MeanModeArgument> option, string reason)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.Equals(t.Value, nameof(MeanModeArgument.Auto), StringComparison.OrdinalIgnoreCase)))
            {
                result.AddError($"--mean-mode: auto cannot be chosen here: {reason}; give allframes or activeframes.");
            }
        });
        return option;
    }
}
