using System.CommandLine;
using System.Globalization;
using ArdMl.Activations;
using ArdMl.Concepts;
using ArdMl.Pipeline;
using ArdMl.Sae;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard discover</c>: LoadAudio → ExtractActivations → TrainSparseAutoencoder → RankConcepts as one ML.NET pipeline
/// over a folder of clips; writes model.zip, concepts.json, concept-scores.csv, clip-statistics.idv and run.json.
/// </summary>
internal static class DiscoverCommand
{
    public static Command Create()
    {
        var common = new DiscoveryCommandOptions(acceptsActivations: true);
        var tap = new Option<string?>("--tap", "-t") { Description = "Tap (layer output) to record; default: the description's default tap." };
        var latents = new Option<int?>("--latents", "-m") { Description = $"SAE latents m (default {DiscoveryOptions.DefaultLatentsPerUnit} x the tap width d)." }.AtLeast(1);
        var k = new Option<int>("--k", "-k") { Description = "Active latents per frame.", DefaultValueFactory = _ => DiscoveryOptions.DefaultK }.AtLeast(1);
        var steps = new Option<int>("--steps", "-s") { Description = "SAE training steps.", DefaultValueFactory = _ => DiscoveryOptions.DefaultSteps }.AtLeast(1);
        var variant = new Option<string>("--variant")
        {
            Description = "SAE sparsity rule: topk (k per frame), batchtopk (k x batch per batch, threshold at inference) or matryoshka-batchtopk.",
            DefaultValueFactory = _ => "topk",
        };
        variant.AcceptOnlyFromAmong(Enum.GetValues<SaeVariant>().Select(SaeLensFormat.VariantName).ToArray());
        var meanMode = MeanModeOption.Single($"What a clip's μ averages over: {MeanModeOption.Meaning}. Recorded in run.json.", MeanModeArgument.Auto);
        var command = new Command(
            "discover",
            "Find and name the concepts of an audio model's layer (AR&D) in one ML.NET pipeline, from --audio and a model, or from --activations shards. Defaults suit small corpora " +
            $"(hundreds to a few thousand clips): m = {DiscoveryOptions.DefaultLatentsPerUnit}·d latents, k = {DiscoveryOptions.DefaultK}, " +
            $"{DiscoveryOptions.DefaultSteps} steps of {DiscoveryOptions.DefaultBatchSize} frames, p = {ConceptRankerOptions.DefaultClipsPerSet} clips per set. " +
            "Unreadable clips are skipped and listed in run.json.");
        common.AddTo(command);
        command.Add(tap);
        command.Add(latents);
        command.Add(k);
        command.Add(steps);
        command.Add(variant);
        command.Add(meanMode);
        command.SetAction(parse =>
        {
            SaeLensFormat.TryParseVariant(parse.GetValue(variant)!, out var saeVariant);
            var mean = parse.GetValue(meanMode).ToMode();
            if (common.ReadActivations(parse, parse.GetValue(tap), parse.GetValue(latents), parse.GetValue(k), parse.GetValue(steps), saeVariant, out var fromShards, out var error, mean))
            {
                return error is null ? (Run(fromShards!) is null ? 1 : 0) : Fail(error);
            }

            return error is not null ? Fail(error)
                : Run(common.Read(parse, parse.GetValue(tap), parse.GetValue(latents), parse.GetValue(k), parse.GetValue(steps), saeVariant, mean)) is null ? 1 : 0;
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }

    /// <summary>Checks the inputs, runs discovery with a progress display and prints the summary; null (message on stderr) on failure.</summary>
    public static DiscoveryResult? Run(DiscoveryOptions options) => Run(() => DiscoveryPipeline.CheckInputs(options).Warnings, progress => DiscoveryPipeline.Discover(options, progress));

    /// <summary>Checks the inputs, runs discovery from activation shards with a progress display and prints the summary; null (message on stderr) on failure.</summary>
    public static DiscoveryResult? Run(ActivationDiscoveryOptions options) => Run(
        () =>
        {
            DiscoveryPipeline.CheckInputs(options);
            return [];
        },
        progress => DiscoveryPipeline.DiscoverFromActivations(options, progress));

    /// <summary>Merges encoded parts (ard rank) with a progress display and prints the summary; null (message on stderr) on failure.</summary>
    public static DiscoveryResult? Run(PartRankingOptions options) => Run(() => [], progress => DiscoveryPipeline.RankParts(options, progress));

    private static DiscoveryResult? Run(Func<IReadOnlyList<string>> checkInputs, Func<IProgress<DiscoveryProgress>, DiscoveryResult> discover)
    {
        DiscoveryResult? result = null;
        try
        {
            // Everything that can be checked without the model run is checked before it starts.
            foreach (var warning in checkInputs())
            {
                Console.Error.WriteLine($"warning: {warning}");
            }

            var titles = new Dictionary<DiscoveryStage, string>
            {
                [DiscoveryStage.ExtractActivations] = "extract activations",
                [DiscoveryStage.TrainSparseAutoencoder] = "train SAE",
                [DiscoveryStage.RankConcepts] = "rank + name concepts",
                [DiscoveryStage.WriteOutputs] = "score clips + save",
            };
            var stages = titles.Keys.ToList();
            ProgressDisplay.Run([.. titles.Values], display =>
                result = discover(new ImmediateProgress<DiscoveryProgress>(p => display.Report(stages.IndexOf(p.Stage), p.Done, p.Total, p.Detail))));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException or UnauthorizedAccessException
                                      or ModelDescriptionException or UnknownTapException or ModelInputMismatchException or NonFiniteActivationException
                                      or DuplicateClipIdException or ActivationShardException)
        {
            Console.Error.WriteLine(CliErrorText.Of(e));
            return null;
        }

        PrintSummary(result!);
        return result;
    }

    public static void PrintSummary(DiscoveryResult result)
    {
        var m = result.Manifest;
        var choice = m.MeanModeChoice is { } c
            ? string.Create(CultureInfo.InvariantCulture, $" (chosen on these clips: criterion {c.ActiveFrames:F3} active, {c.AllFrames:F3} all frames)")
            : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{m.ClipsUsed} of {m.ClipsFound} clips, {m.FrameCount} frames of '{m.Tap}' (d = {m.ActivationWidth}); SAE m = {m.LatentCount}, k = {m.K}, " +
            $"{m.Steps} steps: FVU {m.FinalFvu:F3}, dead {m.DeadFraction:P1}; {m.ConceptsFound} concepts (named from {m.NamingSource}), {m.DeadLatents} dead latents; " +
            $"μ over {(m.MeanMode == ClipMeanMode.ActiveFrames ? "the active frames" : "all frames")}{choice}."));
        foreach (var skipped in m.SkippedClips.Take(10))
        {
            Console.WriteLine($"  skipped {skipped.Clip}: {skipped.Reason}");
        }

        if (m.SkippedClips.Count > 10)
        {
            Console.WriteLine($"  ... and {m.SkippedClips.Count - 10} more skipped clips (run.json lists them all)");
        }

        var table = new Table().AddColumns("#", "concept", "detection", "monosemanticity", "density (clips)", "latent");
        static string Latents(Concept concept) => concept.Members.Count > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{concept.Latent} and {concept.Members.Count - 1} more")
            : concept.Latent.ToString(CultureInfo.InvariantCulture);
        foreach (var (concept, i) in result.Dictionary.Concepts.Select((c, i) => (c, i)).Take(40))
        {
            table.AddRow(
                (i + 1).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(concept.Name),
                concept.DetectionScore is { } detection ? detection.ToString("F2", CultureInfo.InvariantCulture) : "-",
                concept.Monosemanticity.ToString("F2", CultureInfo.InvariantCulture),
                concept.ActiveClipShare.ToString("P1", CultureInfo.InvariantCulture),
                Latents(concept));
        }

        AnsiConsole.Write(table);
        if (result.Dictionary.Concepts.Count > 40)
        {
            Console.WriteLine($"... {result.Dictionary.Concepts.Count - 40} more in {DiscoveryManifest.ConceptsFileName}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {result.RunDirectory}: {m.ModelFile}, {m.ConceptsFile}, {m.ScoresFile}, {m.StatisticsFile}, {DiscoveryManifest.FileName} " +
            $"(times: {string.Join(", ", m.StageSeconds.Select(p => $"{p.Key} {p.Value:F1} s"))})."));
    }
}
