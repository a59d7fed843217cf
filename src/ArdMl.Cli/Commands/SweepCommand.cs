using System.CommandLine;
using System.Globalization;
using ArdMl.Activations;
using ArdMl.Concepts;
using ArdMl.Pipeline;
using ArdMl.Sae;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard sweep</c>: runs <c>ard discover</c> for every combination of taps, latent counts, k and steps, and keeps the
/// run whose concept names hold best on the discovery clips (<see cref="DiscoverySweep"/>); never reads evaluation labels.
/// </summary>
internal static class SweepCommand
{
    /// <summary>The k values <c>ard sweep</c> tries when --k is not given.</summary>
    public const string DefaultKList = "8,16,32";

    public static Command Create()
    {
        var common = new DiscoveryCommandOptions();
        var taps = new Option<string[]>("--tap", "-t") { Description = "Taps to try (repeatable); default: the description's default tap.", AllowMultipleArgumentsPerToken = false };
        var latents = WholeNumbers("--latents", "-m", $"SAE latent counts m to try, comma-separated or repeated (default {DiscoveryOptions.DefaultLatentsPerUnit} x the tap width d).", null);
        var k = WholeNumbers(
            "--k",
            "-k",
            "Active latents per frame to try, comma-separated or repeated (default 8,16,32: on spoken digits the discovery-side criterion rose from k = 8 to 32; " +
            "on planted data small k wins, so the sweep tries both ends).",
            DefaultKList);
        var steps = WholeNumbers("--steps", "-s", "SAE training steps to try, comma-separated or repeated.", DiscoveryOptions.DefaultSteps.ToString(CultureInfo.InvariantCulture));
        var variants = new Option<string>("--variant")
        {
            Description = "SAE sparsity rules to try, comma-separated: topk, batchtopk, matryoshka-batchtopk.",
            DefaultValueFactory = _ => "topk",
        };
        var meanModes = MeanModeOption.List($"What μ averages over, to try, comma-separated or repeated (as in ard discover): {MeanModeOption.Meaning}.");
        var command = new Command(
            "sweep",
            "Run discover for every combination of --tap, --latents, --k, --steps, --variant and --mean-mode and keep the run whose concept names hold best on the " +
            "discovery clips (mean over all names found of the best detection score); the chosen run is copied to --out, every run is in --out/sweep.");
        common.AddTo(command);
        command.Add(taps);
        command.Add(latents);
        command.Add(k);
        command.Add(steps);
        command.Add(variants);
        command.Add(meanModes);
        command.SetAction(parse =>
        {
            List<DiscoverySweepSetting> settings;
            try
            {
                var tapList = parse.GetValue(taps) is { Length: > 0 } given ? given.Select(t => (string?)t).ToList() : [null];
                var latentList = parse.GetValue(latents) is { Length: > 0 } m ? m.Select(v => (int?)v).ToList() : [null];
                var variantList = Variants(parse.GetValue(variants)!);
                var meanList = parse.GetValue(meanModes)!.Select(m => m.ToMode()).ToList();
                settings = [.. from t in tapList from mm in latentList from kk in parse.GetValue(k)! from ss in parse.GetValue(steps)!
                    from v in variantList from mean in meanList select new DiscoverySweepSetting(t, mm, kk, ss, v, mean)];
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine(CliErrorText.Of(e));
                return 1;
            }

            var options = common.Read(parse, null, null, DiscoveryOptions.DefaultK, DiscoveryOptions.DefaultSteps);
            return Run(options, settings) ? 0 : 1;
        });
        return command;
    }

    private static bool Run(DiscoveryOptions options, List<DiscoverySweepSetting> settings)
    {
        DiscoverySweepResult result;
        try
        {
            var index = 0;
            result = DiscoverySweep.Run(options, settings, settingStarted: s =>
                Console.Error.WriteLine($"  setting {++index} of {settings.Count}: {s.Label}"));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException or UnauthorizedAccessException
                                      or ModelDescriptionException or UnknownTapException or ModelInputMismatchException or NonFiniteActivationException or DuplicateClipIdException)
        {
            Console.Error.WriteLine(CliErrorText.Of(e));
            return false;
        }

        var table = new Table().AddColumns("setting", "μ over", "criterion", "concepts", "names", "FVU");
        foreach (var row in result.Rows)
        {
            table.AddRow(
                Markup.Escape(row.Setting.Label) + (row == result.Chosen ? " (chosen)" : ""),
                row.MeanMode == ClipMeanMode.ActiveFrames ? "active frames" : "all frames",
                row.Criterion.ToString("F3", CultureInfo.InvariantCulture),
                row.Concepts.ToString(CultureInfo.InvariantCulture),
                row.NamesFound.ToString(CultureInfo.InvariantCulture),
                row.Fvu.ToString("F3", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        Console.WriteLine($"Chose {result.Chosen.Setting.Label}; its run is copied to {Path.GetFullPath(options.OutputDirectory)} ({DiscoverySweep.FileName} lists every setting).");
        return true;
    }

    private static List<SaeVariant> Variants(string text)
    {
        var values = new List<SaeVariant>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            values.Add(SaeLensFormat.TryParseVariant(part, out var variant)
                ? variant
                : throw new FormatException($"--variant: '{part}' is not one of topk, batchtopk, matryoshka-batchtopk."));
        }

        return values.Count > 0 ? values : throw new FormatException("--variant: no value given.");
    }

    /// <summary>
    /// A list of positive whole numbers under the same name (and so the same kind of value) as the single number that
    /// <c>ard discover</c> takes: comma-separated (<c>--k 8,16</c>) or repeated (<c>--k 8 --k 16</c>).
    /// </summary>
    private static Option<int[]> WholeNumbers(string name, string alias, string description, string? defaultList)
    {
        var option = new Option<int[]>(name, alias)
        {
            Description = description,
            CustomParser = result =>
            {
                var tokens = result.Tokens.Count > 0 ? result.Tokens.Select(t => t.Value) : defaultList is null ? [] : [defaultList];
                var values = new List<int>();
                foreach (var part in tokens.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
                    {
                        result.AddError($"{name}: '{part}' is not a positive whole number (expected a comma-separated list such as 8,16).");
                        return [];
                    }

                    values.Add(value);
                }

                if (values.Count == 0 && (result.Tokens.Count > 0 || defaultList is not null))
                {
                    result.AddError($"{name}: no value given.");
                }

                return [.. values];
            },
        };
        if (defaultList is not null)
        {
            option.DefaultValueFactory = result => option.CustomParser!(result)!;
        }

        return option;
    }
}
