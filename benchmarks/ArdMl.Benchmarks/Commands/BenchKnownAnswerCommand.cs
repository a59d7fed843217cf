using System.CommandLine;
using System.Globalization;
using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Cli.Commands;
using ArdMl.Evaluation;
using ArdMl.Pipeline;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench known-answer</c>: activations with planted concepts → discover from activations → the five methods of
/// the paper's Table 1; prints the planted structure, the SAE settings, the table and whether the paper's order holds.
/// </summary>
internal static class BenchKnownAnswerCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for the corpus and the run (default: a temporary folder, deleted afterwards)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generated corpus (the SAE's seed is 0).", DefaultValueFactory = _ => new KnownAnswerOptions().Seed };
        var clips = new Option<int>("--clips", "-n") { Description = "Clips to generate.", DefaultValueFactory = _ => new KnownAnswerOptions().ClipCount };
        var steps = new Option<int>("--steps", "-s") { Description = "SAE training steps (1024 frames per step as in discover).", DefaultValueFactory = _ => KnownAnswerBenchmark.DefaultSteps };
        var width = new Option<int>("--width") { Description = "Activation width d of the generated corpus.", DefaultValueFactory = _ => new KnownAnswerOptions().Width };
        var concepts = new Option<int>("--concepts") { Description = "Planted concepts (more than --width: superposition).", DefaultValueFactory = _ => new KnownAnswerOptions().ConceptCount };
        var latents = new Option<int?>("--latents", "-m") { Description = "SAE latents m (default: 8 x d)." };
        var k = new Option<int>("--k", "-k") { Description = "Active latents per frame.", DefaultValueFactory = _ => KnownAnswerBenchmark.DefaultK };
        var command = new Command(
            "known-answer",
            "Known-answer benchmark: generated activations with planted concepts (sustained labels, brief loud and faint widespread " +
            "distractors, 3.3x more concepts than dimensions); AR&D should come out first and the baselines in the paper's order.")
        {
            output, seed, clips, width, concepts, steps, latents, k,
        };
        command.SetAction(parse => Run(
            parse.GetValue(output)?.FullName,
            new KnownAnswerOptions { Seed = parse.GetValue(seed), ClipCount = parse.GetValue(clips), Width = parse.GetValue(width), ConceptCount = parse.GetValue(concepts) },
            parse.GetValue(steps),
            parse.GetValue(latents),
            parse.GetValue(k)));
        return command;
    }

    private static int Run(string? output, KnownAnswerOptions corpusOptions, int steps, int? latents, int k)
    {
        var folder = output ?? Directory.CreateTempSubdirectory("ardml-known-answer-").FullName;
        try
        {
            var options = new KnownAnswerBenchmarkOptions
            {
                OutputDirectory = folder,
                Corpus = corpusOptions,
                Steps = steps,
                LatentCount = latents,
                K = k,
            };
            var corpus = options.Corpus;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ard-bench known-answer: {corpus.ClipCount} clips of {corpus.MinFrames}-{corpus.MaxFrames} frames, d = {corpus.Width}, {corpus.ConceptCount} planted concepts " +
                $"(random unit directions); per clip {corpus.MinLabelsPerClip}-{corpus.MaxLabelsPerClip} sustained (labels: on {corpus.SustainedFrameShare:P0} of frames, magnitude {corpus.SustainedMagnitude}), " +
                $"0-{corpus.MaxBriefEventsPerClip} brief loud (1-{corpus.MaxBriefFrames} frames, magnitude {corpus.BriefMagnitude}), " +
                $"0-{corpus.MaxFaintConceptsPerClip} faint bed (on {corpus.FaintFrameShare:P0} of frames, magnitude {corpus.FaintMagnitude}); " +
                $"jitter {corpus.MagnitudeJitter:P0}, noise sd {corpus.NoiseStandardDeviation}; seed {corpus.Seed}."));
            var result = KnownAnswerBenchmark.Run(options);
            var m = result.Discovery.Manifest;
            var choice = m.MeanModeChoice is { } c
                ? string.Create(CultureInfo.InvariantCulture, $" (chosen on the run's clips: criterion {c.AllFrames:F3} all frames, {c.ActiveFrames:F3} active)")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"discover --activations: {m.ClipsUsed} clips, {m.FrameCount} frames; SAE m = {m.LatentCount} ({m.LatentCount / (double)corpus.Width:0.#} x d), k = {m.K}, {m.Steps} steps x {m.BatchSize} frames " +
                $"({KnownAnswerBenchmark.DefaultSteps} steps by default, discover has {DiscoveryOptions.DefaultSteps}): FVU {m.FinalFvu:F3}, dead {m.DeadFraction:P1}; {m.ConceptsFound} concepts named from labels; " +
                $"μ over {(m.MeanMode == ArdMl.Concepts.ClipMeanMode.ActiveFrames ? "the active frames" : "all frames")}{choice}."));
            Console.WriteLine($"Interpretability benchmark ({result.Comparison.LabelledClipCount} labelled clips):");
            Console.Write(result.Comparison.Table.ToMarkdown());
            double raw = result.MeanAveragePrecision(BenchmarkMethod.RawNeurons), ard = result.MeanAveragePrecision(BenchmarkMethod.Ard);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"paper's order on mAP (raw < random < mean only < coverage only < AR&D): {(result.HasPaperOrder ? "yes" : "NO")}; " +
                $"AR&D mAP {ard:F2} (target >= 0.90: {(ard >= 0.9 ? "met" : "NOT met")}), {ard / raw:F1} x raw neurons (target >= 3: {(ard >= 3 * raw ? "met" : "NOT met")})."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time: {result.Elapsed.TotalSeconds:F1} s wall ({string.Join(", ", m.StageSeconds.Select(p => $"{p.Key} {p.Value:F1} s"))})."));
            if (output is not null)
            {
                File.WriteAllText(Path.Combine(result.Discovery.RunDirectory, EvalCommand.MarkdownFile), result.Comparison.ToMarkdown());
                File.WriteAllText(Path.Combine(result.Discovery.RunDirectory, EvalCommand.JsonFile), result.Comparison.ToJson());
                Console.WriteLine($"Wrote {folder}: activations/, labels.csv, captions.csv, run/ (with {EvalCommand.MarkdownFile}, {EvalCommand.JsonFile}).");
            }

            return 0;
        }
        finally
        {
            if (output is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
