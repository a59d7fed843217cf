using System.CommandLine;
using ArdMl.Evaluation;
using ArdMl.Pipeline;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard eval --run &lt;dir&gt; --labels &lt;csv&gt;</c>: the interpretability benchmark (paper's Table 1) of raw neurons,
/// random clips, mean only, coverage only and AR&amp;D on one run's SAE and clips, then why concepts fail
/// (<see cref="ConceptDiagnostics"/>; with <c>--stability-seeds</c> also <see cref="SaeSeedStability"/>); writes eval.md and eval.json.
/// </summary>
internal static class EvalCommand
{
    public const string MarkdownFile = "eval.md";
    public const string JsonFile = "eval.json";

    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run", "-r") { Description = "Run folder written by 'ard discover'.", Required = true };
        var labels = new Option<FileInfo>("--labels", "-l") { Description = "Labels CSV (clip,text; ';' separates several labels).", Required = true };
        var groupBy = new Option<string?>("--group-by")
        {
            Description = "Regular expression finding each clip's group (speaker, recording, category) in its path, e.g. '^\\d+_([a-z]+)_' for FSDD speakers: "
                + "discovery, calibration and evaluation never share a group (one fold per group). Default: the run's own --group-by, else a hash split by clip.",
        };
        var stabilitySeeds = new Option<int?>("--stability-seeds")
        {
            Description = "Also train the SAE with this many further seeds (1-16) on the run's activations (audio runs are re-extracted) and compare "
                + "decoder directions with the run's SAE, beside untrained SAEs. Default: off.",
        };
        var mergeByName = new Option<bool?>("--merge-by-name")
        {
            Description = "Keep one concept per name in every method: its concepts merged into one of several latents where that detects the name better "
                + "on the discovery clips, else its best concept (true or false). Default: as the run was discovered.",
        };
        var clipScore = new Option<MethodClipScore>("--clip-score")
        {
            Description = "What the SAE methods rank clips by when they detect a concept: owncriterion (the default: μ for mean-only, c for coverage-only, "
                + "μ·c for AR&D and random clips) or representativeness (r = μ·c for every method, which then differ only in how they retrieve, name and select concepts).",
            DefaultValueFactory = _ => MethodClipScore.OwnCriterion,
        }.NamedValuesOnly<Option<MethodClipScore>, MethodClipScore>();
        var meanMode = MeanModeOption.Optional(
            "What μ averages over in every method: allframes (μ·c = ā·c² with ā the mean over active frames), activeframes (μ = ā, so μ·c = ā·c, "
            + "the other reading of the paper's formula) or auto (chosen in each fold on its discovery clips, as ard discover chooses it on its clips). "
            + "Default: as the run was discovered (a run that chose, chosen again in each fold). The probe and the diagnostics keep the run's statistics.");
        var noDiagnostics = new Option<bool>("--no-diagnostics") { Description = "Skip the diagnostics (sparse probing, erasure, group concentration)." };
        var command = new Command("eval", "Benchmark the run's concepts against labels: raw neurons, random clips, mean only, coverage only and AR&D, same SAE and data, beside a probe on the layer; then diagnostics of why concepts fail.")
        {
            run, labels, groupBy, stabilitySeeds, mergeByName, clipScore, meanMode, noDiagnostics,
        };
        command.SetAction(parse => Run(
            parse.GetValue(run)!.FullName, parse.GetValue(labels)!.FullName, parse.GetValue(groupBy), parse.GetValue(stabilitySeeds), !parse.GetValue(noDiagnostics),
            parse.GetValue(mergeByName), parse.GetValue(clipScore), parse.GetValue(meanMode)) is null ? 1 : 0);
        return command;
    }

    /// <summary>Runs the comparison, prints the table and writes eval.md / eval.json; null (message on stderr) on failure.</summary>
    public static MethodComparisonResult? Run(
        string runDirectory, string labelsPath, string? groupPattern = null, int? stabilitySeeds = null, bool diagnostics = true, bool? mergeByName = null,
        MethodClipScore clipScore = MethodClipScore.OwnCriterion, MeanModeArgument? meanMode = null)
    {
        MethodComparisonResult result;
        try
        {
            var lastStage = "";
            result = MethodComparison.Run(
                runDirectory,
                labelsPath,
                new MethodComparisonOptions
                {
                    GroupPattern = groupPattern,
                    MergeByName = mergeByName,
                    ClipScore = clipScore,
                    MeanMode = meanMode?.ToMode(),
                    ChooseMeanMode = meanMode is null ? null : meanMode == MeanModeArgument.Auto,
                    Diagnostics = diagnostics ? new ConceptDiagnosticsOptions() : null,
                    DiagnosticsProgress = new ImmediateProgress<ConceptDiagnosticsProgress>(p =>
                        Console.Error.WriteLine($"  diagnostics {p.Done + 1}/{p.Total}: fold {p.Fold}, label {p.Label}")),
                    Stability = stabilitySeeds is { } seeds ? new SaeStabilityOptions { FurtherSeeds = seeds } : null,
                    StabilityProgress = new ImmediateProgress<DiscoveryProgress>(p =>
                    {
                        // One line per tenth of each stage.
                        var line = $"  stability: {p.Stage} {p.Detail} {(p.Total > 0 ? 10 * p.Done / p.Total : 0) * 10}%";
                        if (line != lastStage)
                        {
                            Console.Error.WriteLine(line);
                            lastStage = line;
                        }
                    }),
                },
                new ImmediateProgress<BenchmarkMethod>(m => Console.Error.WriteLine($"  evaluating {MethodComparison.DisplayName(m)}")));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException)
        {
            Console.Error.WriteLine(CliErrorText.Of(e));
            return null;
        }

        Console.WriteLine($"Interpretability benchmark ({result.LabelledClipCount} labelled clips). {result.Protocol}");
        Console.Write(result.Table.ToText());
        foreach (var row in result.Rows)
        {
            Console.WriteLine($"  {row.Result.MethodName}: {row.Result.ConceptCount} concepts, {row.Result.MappedConceptCount} mapped to labels, {row.Result.EvaluatedConceptCount} evaluated");
        }

        if (result.Diagnostics is { } found)
        {
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Why concepts fail (average precision on evaluation clips, mean over folds; m = {found.LatentCount}):"));
            Console.Write(found.ToTable());
            Console.WriteLine("  " + ConceptDiagnostics.Explanation);
        }

        if (result.Stability is { } stability)
        {
            Console.WriteLine(stability.Summary);
        }

        File.WriteAllText(Path.Combine(runDirectory, MarkdownFile), result.ToMarkdown());
        File.WriteAllText(Path.Combine(runDirectory, JsonFile), result.ToJson());
        Console.WriteLine($"Wrote {Path.Combine(runDirectory, MarkdownFile)} and {JsonFile}.");
        if (result.Rows.Where(r => r.Method != BenchmarkMethod.Probe).All(r => r.Result.EvaluatedConceptCount == 0))
        {
            Console.Error.WriteLine("No concept of any method maps to a label with positive evaluation clips: the table is empty. Name concepts from these labels ('ard discover --labels') or use labels that match the concept names.");
            return null;
        }

        return result;
    }
}
