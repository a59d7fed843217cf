using System.CommandLine;
using System.Globalization;
using System.Text;
using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Evaluation;
using ArdMl.MlNet;
using ArdMl.Sae;
using ArdMl.Steering;
using Microsoft.ML;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard steer</c>: steer one SAE latent at a model's tap over a folder of clips, at one or more strengths, and report
/// per strength the share of clips whose output moves to the target and the target's change per unit of edit norm,
/// next to two raw-neuron baselines edited by the same L2 norm: the neuron chosen by the latent's label rule before the
/// run (with <c>--latent auto:…</c>) and the best of the candidate neurons on the measured clips (optimistic).
/// </summary>
internal static class SteerCommand
{
    public static Command Create()
    {
        var description = new Option<FileInfo>("--model-description", "-d") { Description = "Model description JSON (see models/README.md).", Required = true };
        var tap = new Option<string>("--tap", "-t") { Description = "The value to steer (a tap of the model).", Required = true };
        var sae = new Option<FileSystemInfo>("--sae") { Description = "The SAE: a sparsify folder written by 'ard train' (cfg.json + sae.safetensors) or an ML.NET model zip holding a TrainSparseAutoencoder stage.", Required = true };
        var latent = new Option<string>("--latent")
        {
            Description = "The latent to steer: an index, or auto:<labels csv>:<label> to pick the latent whose mean activation is highest on clips "
                + "labelled <label> relative to the other clips of the CSV (header clip,text as in every labels file; clips relative to the CSV's folder); "
                + "the same rule picks the raw-neuron baseline. Use clips other than those of --audio.",
            Required = true,
        };
        var audio = new Option<DirectoryInfo>("--audio", "-a") { Description = "Folder of clips to steer (searched recursively: WAV, FLAC, MP3, Ogg).", Required = true };
        var mode = new Option<SteeringMode>("--mode") { Description = "set, add or scale the latent (and the neurons).", DefaultValueFactory = _ => SteeringMode.Set }
            .NamedValuesOnly<Option<SteeringMode>, SteeringMode>();
        var strength = new Option<string>("--strength")
        {
            Description = "The value set or added, as an L2 norm in activation space (the same for the latent and the neurons), or the scale factor; "
                + "a comma-separated list sweeps the strengths (e.g. 1,2,5,10,20).",
            DefaultValueFactory = _ => "10",
        };
        var frames = new Option<string>("--frames") { Description = "Tap frames to edit: all, a range a-b (inclusive) or a list a,b,c (frames numbered across the clip).", DefaultValueFactory = _ => "all" };
        var target = new Option<string>("--target")
        {
            Description = "The target: <output>:<class index> (arg-max of the output is that class) or <output>:>=<threshold> / <output>:<=<threshold> (the output's mean).",
            Required = true,
        };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Per-clip CSV of unsteered vs steered target scores per strength for the latent and the neurons." };
        var axes = new Option<string?>("--axes") { Description = "Tap axes as frames=..;features=.. (default: from the description's tap layouts)." };
        var neurons = new Option<int>("--neurons") { Description = "Raw-neuron candidates for the optimistic baseline (largest |w_j| of the latent's decoder direction, best on the measured clips).", DefaultValueFactory = _ => SteeringSensitivityAnalysis.DefaultNeuronCandidates };
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "Use at most this many seconds of each clip." };
        var latentRule = new Option<LatentSelectionRule>("--latent-rule")
        {
            Description = "How --latent auto: picks the latent: contrast (the default: the largest difference of the latent's clip-mean activation between the "
                + "label's clips and the others) or projection (the largest projection of the label's mean tap difference on the latent's unit decoder "
                + "direction, the rule that picks the label-chosen neuron, applied to latent directions).",
            DefaultValueFactory = _ => LatentSelectionRule.Contrast,
        }.NamedValuesOnly<Option<LatentSelectionRule>, LatentSelectionRule>();
        var trialCandidates = new Option<int>("--trial-candidates")
        {
            Description = "With --latent auto:, try this many of the rule's first latents and of its first raw neurons on the labels CSV's clips without "
                + "the label, edited upward at every --strength, and keep the one of each kind that raises the target score most per unit of edit "
                + "norm there (mean over the strengths); 1 (the default) keeps each ranking's first without a trial.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("steer", "Steer an SAE latent inside a model over a strength sweep and compare it with raw neurons edited by the same L2 norm.")
        {
            description, tap, sae, latent, audio, mode, strength, frames, target, output, axes, neurons, maxSeconds, latentRule, trialCandidates,
        };
        command.SetAction(parse =>
        {
            try
            {
                var request = new SteerRequest(
                    ModelDescription.Load(parse.GetValue(description)!.FullName),
                    parse.GetValue(tap)!,
                    parse.GetValue(sae)!.FullName,
                    parse.GetValue(latent)!,
                    parse.GetValue(audio)!.FullName,
                    parse.GetValue(mode),
                    ParseStrengths(parse.GetValue(strength)),
                    ParseFrames(parse.GetValue(frames)),
                    parse.GetValue(target)!,
                    parse.GetValue(output)?.FullName,
                    parse.GetValue(axes) is { } a ? TapAxisSpec.Parse(a) : null,
                    parse.GetValue(neurons),
                    parse.GetValue(maxSeconds),
                    parse.GetValue(latentRule),
                    parse.GetValue(trialCandidates));
                return Run(request);
            }
            catch (Exception e) when (e is ModelDescriptionException or ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException
                                          or InvalidDataException or IOException or NotSupportedException or AudioDecodeException or SafeTensorsFormatException
                                          or InvalidOperationException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Parses <c>all</c>, <c>a-b</c> or <c>a,b,c</c> into clip-level frame indices (null: every frame).</summary>
    internal static IReadOnlyList<int>? ParseFrames(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', 2, StringSplitOptions.TrimEntries);
            int first = ParseFrame(range[0], text);
            int last = range.Length == 2 ? ParseFrame(range[1], text) : first;
            if (last < first)
            {
                throw new FormatException($"--frames '{text}': the range '{part}' ends before it starts.");
            }

            result.AddRange(Enumerable.Range(first, last - first + 1));
        }

        return result;
    }

    /// <summary>Parses one strength or a comma-separated list of strengths.</summary>
    internal static IReadOnlyList<double> ParseStrengths(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new FormatException("--strength: expected a number or a comma-separated list of numbers (e.g. 1,2,5,10,20).");
        }

        return [.. parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new FormatException($"--strength '{text}': '{p}' is not a finite number."))];
    }

    /// <summary>Parses <c>&lt;output&gt;:&lt;class&gt;</c>, <c>&lt;output&gt;:&gt;=t</c> or <c>&lt;output&gt;:&lt;=t</c>.</summary>
    internal static (string Output, ISteeringTarget Target) ParseTarget(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new FormatException($"--target '{text}': expected <output>:<class index>, <output>:>=<threshold> or <output>:<=<threshold>.");
        }

        string outputName = text[..colon];
        string spec = text[(colon + 1)..].Trim();
        if (spec.StartsWith(">=", StringComparison.Ordinal) || spec.StartsWith("<=", StringComparison.Ordinal))
        {
            return double.TryParse(spec[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold)
                ? (outputName, new ThresholdTarget(threshold, OutputReduction.Mean, Above: spec[0] == '>'))
                : throw new FormatException($"--target '{text}': '{spec[2..]}' is not a number.");
        }

        return int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var classIndex)
            ? (outputName, new ClassTarget(classIndex))
            : throw new FormatException($"--target '{text}': '{spec}' is neither a class index nor >=/<= a threshold.");
    }

    /// <summary>
    /// Loads an SAE from a sparsify folder (Top-K), a SAELens folder (BatchTopK family) or an ML.NET model zip holding
    /// a TrainSparseAutoencoder stage.
    /// </summary>
    internal static TopKSparseAutoencoder LoadAutoencoder(string path)
    {
        if (Directory.Exists(path))
        {
            return SaeLensFormat.IsSaeLensDirectory(path) ? SaeLensFormat.Load(path) : SparsifyFormat.Load(path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--sae '{path}' is neither a sparsify folder nor a model zip.", path);
        }

        var model = ArdModelFile.Load(new MLContext(seed: 0), path, out _);
        return FindAutoencoder(model)?.Autoencoder
            ?? throw new ModelFileException(path, "holds no sparse autoencoder stage (TrainSparseAutoencoder); expected a model zip of 'ard discover'.");
    }

    private static SparseAutoencoderTransformer? FindAutoencoder(ITransformer transformer) => transformer switch
    {
        SparseAutoencoderTransformer sae => sae,
        IEnumerable<ITransformer> chain => chain.Select(FindAutoencoder).FirstOrDefault(t => t is not null),
        _ => null,
    };

    private static int ParseFrame(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var frame)
            ? frame
            : throw new FormatException($"--frames '{whole}': '{text}' is not a frame index (expected all, a-b or a,b,c).");

    private static int Run(SteerRequest request)
    {
        var (outputName, target) = ParseTarget(request.Target);
        using var autoencoder = LoadAutoencoder(request.SaePath);
        using var adapter = new TopKSaeSteeringAdapter(autoencoder);
        var model = DescribedSteeringModel.Open(request.Description, request.Tap, outputName, request.Axes);
        try
        {
            if (model.TapWidth != adapter.InputDim)
            {
                throw new ArgumentException($"The SAE has width {adapter.InputDim}; tap '{request.Tap}' of {request.Description.Name} has width {model.TapWidth}.");
            }

            var clips = LoadClips(request.AudioFolder, ExtractCommand.FindAudio(request.AudioFolder), request.Description.SampleRate, request.MaxSeconds);
            if (clips.Count == 0)
            {
                throw new ArgumentException($"No audio clips in '{request.AudioFolder}'.");
            }

            var (latentIndex, labelNeuron) = ResolveLatent(request, model, adapter, target);
            var first = new LatentIntervention(adapter, latentIndex, new SteeringEdit(request.Mode, request.Strengths[0], SteeringUnits.ActivationNorm, request.Frames));
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Steering {request.Description.Name} at '{request.Tap}' (d={model.TapWidth}) with SAE m={adapter.LatentCount}: latent {latentIndex} "
                + $"{request.Mode.ToString().ToLowerInvariant()} at strengths {string.Join(", ", request.Strengths.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))} "
                + $"(L2 norm in activation space), ‖w‖={first.DirectionNorm:G4}; target {target.Description} on '{outputName}'; {clips.Count} clips; "
                + (labelNeuron is int n ? $"label-chosen neuron {n}; " : "no label-chosen neuron (give --latent auto:<csv>:<label>); ")
                + $"{request.NeuronCandidates} candidates for the optimistic neuron."));

            var analysis = new SteeringSensitivityAnalysis(model, target);
            SteeringSweep? sweep = null;
            int perStrength = 1 + request.NeuronCandidates + (labelNeuron is null ? 0 : 1);
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("steering", maxValue: clips.Count * perStrength * request.Strengths.Count);
                    var progress = new ImmediateProgress<SteeringProgress>(p =>
                    {
                        task.Increment(1);
                        task.Description = Markup.Escape($"{p.Intervention}: {p.ClipsDone}/{p.ClipCount}");
                    });
                    sweep = analysis.SweepStrengths(
                        clips, adapter, latentIndex, labelNeuron, request.Mode, request.Strengths, request.Frames, request.NeuronCandidates, progress);
                });

            Report(sweep!, target);
            if (request.OutputCsv is not null)
            {
                WriteCsv(request.OutputCsv, sweep!);
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(request.OutputCsv)}.");
            }

            return 0;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static (int Latent, int? LabelNeuron) ResolveLatent(
        SteerRequest request, ISteeringModel model, TopKSaeSteeringAdapter adapter, ISteeringTarget target)
    {
        const string Auto = "auto:";
        if (request.TrialCandidates < 1)
        {
            throw new ArgumentException($"--trial-candidates {request.TrialCandidates}: expected 1 (no trial) or more.");
        }

        if (!request.Latent.StartsWith(Auto, StringComparison.OrdinalIgnoreCase))
        {
            if (request.TrialCandidates > 1)
            {
                throw new ArgumentException("--trial-candidates tries the label rule's candidates: give --latent auto:<labels csv>:<label>.");
            }

            return int.TryParse(request.Latent, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? (index, null)
                : throw new FormatException($"--latent '{request.Latent}': expected a latent index or auto:<labels csv>:<label>.");
        }

        var rest = request.Latent[Auto.Length..];
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1)
        {
            throw new FormatException($"--latent '{request.Latent}': expected auto:<labels csv>:<label>.");
        }

        var csv = Path.GetFullPath(rest[..colon]);
        var label = rest[(colon + 1)..];
        if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"--latent: the labels CSV '{csv}' does not exist.", csv);
        }

        var labels = ClipLabelSet.ReadCsv(csv);
        if (!labels.Vocabulary.Contains(label, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"--latent: no clip of '{csv}' carries the label '{label}'; its labels are {string.Join(", ", labels.Vocabulary.Take(20))}.");
        }

        var folder = Path.GetDirectoryName(csv)!;
        var clipFrames = new List<(float[] Frames, bool HasLabel)>(labels.ClipIds.Count);
        var clipsWithoutLabel = new List<SteeringClip>();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape($"collecting tap frames of the labelled clips for '{label}'"), maxValue: labels.ClipIds.Count);
                foreach (var clip in labels.ClipIds)
                {
                    var path = Path.Combine(folder, clip);
                    if (!File.Exists(path))
                    {
                        throw new FileNotFoundException($"Labels CSV '{csv}' names the clip '{clip}', but '{path}' does not exist.", path);
                    }

                    var samples = AudioLoader.LoadMono(path, request.Description.SampleRate, request.MaxSeconds);
                    clipFrames.Add((model.CollectTapFrames(samples), labels.HasLabel(clip, label)));
                    if (!clipFrames[^1].HasLabel)
                    {
                        clipsWithoutLabel.Add(new SteeringClip(clip, samples));
                    }

                    task.Increment(1);
                }
            });

        var c = CultureInfo.InvariantCulture;
        var neurons = LabelContrastNeuronSelector.Rank(clipFrames, model.TapWidth);
        var neuronColumns = new[] { "neuron", $"mean ({label})", "mean (others)", "difference" };
        string[] NeuronCells(NeuronContrast n) => [n.Neuron.ToString(c), n.MeanWithLabel.ToString("G4", c), n.MeanWithoutLabel.ToString("G4", c), n.Difference.ToString("G4", c)];
        (IReadOnlyList<int> Latents, string[] Columns, Func<int, string[]> Cells, string Rule) ranking;
        if (request.LatentRule == LatentSelectionRule.Projection)
        {
            var projections = LabelContrastLatentSelector.RankByProjection(neurons, adapter);
            ranking = ([.. projections.Select(p => p.Latent)], ["latent", "ŵ·Δx̄", "cosine"],
                i => [projections[i].Latent.ToString(c), projections[i].Projection.ToString("G4", c), projections[i].Cosine.ToString("F3", c)],
                "the projection of the mean tap difference on their unit directions");
        }
        else
        {
            var latents = LabelContrastLatentSelector.Rank(clipFrames, adapter);
            ranking = ([.. latents.Select(l => l.Latent)], ["latent", $"mean ({label})", "mean (others)", "difference"],
                i => [latents[i].Latent.ToString(c), latents[i].MeanWithLabel.ToString("G4", c), latents[i].MeanWithoutLabel.ToString("G4", c), latents[i].Difference.ToString("G4", c)],
                "label contrast");
        }

        var table = new Table().AddColumns(["rank", .. ranking.Columns, .. neuronColumns]);
        for (int i = 0; i < Math.Min(5, Math.Min(ranking.Latents.Count, neurons.Count)); i++)
        {
            table.AddRow([(i + 1).ToString(c), .. ranking.Cells(i), .. NeuronCells(neurons[i])]);
        }

        AnsiConsole.MarkupLine(Markup.Escape(
            $"Latents and raw neurons by {ranking.Rule} for '{label}' ({clipFrames.Count(f => f.HasLabel)} labelled, "
            + $"{clipFrames.Count(f => !f.HasLabel)} other clips of {csv}):"));
        AnsiConsole.Write(table);
        return request.TrialCandidates == 1
            ? (ranking.Latents[0], neurons[0].Neuron)
            : Trial(request, model, adapter, target, [.. ranking.Latents.Take(request.TrialCandidates)],
                [.. neurons.Take(request.TrialCandidates).Select(n => n.Neuron)], clipsWithoutLabel, $"of {csv} without '{label}'");
    }

    private static (int Latent, int LabelNeuron) Trial(
        SteerRequest request,
        ISteeringModel model,
        TopKSaeSteeringAdapter adapter,
        ISteeringTarget target,
        IReadOnlyList<int> latentCandidates,
        IReadOnlyList<int> neuronCandidates,
        IReadOnlyList<SteeringClip> clips,
        string clipsDescription)
    {
        var analysis = new SteeringSensitivityAnalysis(model, target);
        IReadOnlyList<SteeringTrialResult> latents = [], neurons = [];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("trial", maxValue: clips.Count * request.Strengths.Count * (latentCandidates.Count + neuronCandidates.Count));
                var progress = new ImmediateProgress<SteeringProgress>(p =>
                {
                    task.Increment(1);
                    task.Description = Markup.Escape($"trial {p.Intervention}: {p.ClipsDone}/{p.ClipCount}");
                });
                latents = SteeringTrial.RankLatents(analysis, clips, adapter, latentCandidates, request.Mode, request.Strengths, request.Frames, progress);
                neurons = SteeringTrial.RankNeurons(analysis, clips, model.TapWidth, neuronCandidates, request.Mode, request.Strengths, request.Frames, progress);
            });

        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("trial rank", "latent", "rule rank", "mean Δ/‖edit‖", "neuron", "rule rank", "mean Δ/‖edit‖");
        for (int i = 0; i < Math.Max(latents.Count, neurons.Count); i++)
        {
            string[] Cells(IReadOnlyList<SteeringTrialResult> results) => i < results.Count
                ? [results[i].Unit.ToString(c), (results[i].RuleRank + 1).ToString(c), results[i].MeanShiftPerEditNorm.ToString("+0.00000;-0.00000", c)]
                : ["", "", ""];
            table.AddRow([(i + 1).ToString(c), .. Cells(latents), .. Cells(neurons)]);
        }

        AnsiConsole.MarkupLine(Markup.Escape(
            $"Trial of the rule's first {latentCandidates.Count} latents and {neuronCandidates.Count} neurons on the {clips.Count} clips {clipsDescription}, "
            + "edited upward at every strength; kept: the first of each kind (the mean of Δ/‖edit‖ over the strengths):"));
        AnsiConsole.Write(table);
        return (latents[0].Unit, neurons[0].Unit);
    }

    private static List<SteeringClip> LoadClips(string root, IReadOnlyList<string> paths, int sampleRate, double? maxSeconds) =>
        [.. paths.Select(p => new SteeringClip(p, AudioLoader.LoadMono(Path.Combine(root, p), sampleRate, maxSeconds)))];

    private static void Report(SteeringSweep sweep, ISteeringTarget target)
    {
        var c = CultureInfo.InvariantCulture;
        string Moved(SteeringSensitivity? s) => s is null ? "–" : double.IsNaN(s.Share) ? $"{s.Moved}/{s.Eligible}" : $"{s.Moved}/{s.Eligible} ({s.Share.ToString("P1", c)})";
        string PerNorm(SteeringSensitivity? s) => s is null || double.IsNaN(s.ShiftPerEditNorm) ? "–" : s.ShiftPerEditNorm.ToString("+0.00000;-0.00000", c);
        var table = new Table().AddColumns(
            "strength", "latent moved", "latent Δ/‖edit‖", "label neuron moved", "label neuron Δ/‖edit‖", "optimistic neuron", "moved", "Δ/‖edit‖", "latent ÷ label neuron");
        foreach (var p in sweep.Points)
        {
            table.AddRow(
                p.Strength.ToString("G4", c),
                Moved(p.Latent),
                PerNorm(p.Latent),
                Moved(p.LabelNeuron),
                PerNorm(p.LabelNeuron),
                p.OptimisticNeuronIndex.ToString(c),
                Moved(p.OptimisticNeuron),
                PerNorm(p.OptimisticNeuron),
                double.IsNaN(p.LatentOverLabelNeuron) ? "–" : p.LatentOverLabelNeuron.ToString("0.00", c) + "×");
        }

        AnsiConsole.MarkupLine(Markup.Escape(
            $"Per strength: share of the clips not at '{target.Description}' unsteered that reach it steered ('moved'), and the mean change of the "
            + $"target score per unit of edit norm (Δ/‖edit‖, the norm measured in activation space) for latent {sweep.LatentIndex}, the label-chosen "
            + $"neuron {(sweep.LabelNeuronIndex is int n ? n.ToString(c) : "(none)")} (chosen before the run) and the best candidate neuron on these clips "
            + "(optimistic, chosen after the fact):"));
        AnsiConsole.Write(table);
        var half = sweep.FirstWhereLatentMoves(0.5);
        AnsiConsole.MarkupLine(Markup.Escape(half is null
            ? "The latent moves no more than half of the eligible clips at any strength swept."
            : $"Smallest strength where the latent moves ≥ 50 % of the eligible clips: {half.Strength.ToString("G4", c)}; latent ÷ label-chosen neuron "
              + $"(Δ/‖edit‖) there: {(double.IsNaN(half.LatentOverLabelNeuron) ? "n/a" : half.LatentOverLabelNeuron.ToString("0.00", c) + "×")}."));
    }

    private static void WriteCsv(string path, SteeringSweep sweep)
    {
        var text = new StringBuilder("strength,role,intervention,clip,unsteered_score,steered_score,unsteered_reached,steered_reached,mean_edit_norm\n");
        foreach (var p in sweep.Points)
        {
            var rows = new List<(string Role, SteeringSensitivity Sensitivity)> { ("latent", p.Latent) };
            if (p.LabelNeuron is not null)
            {
                rows.Add(("label-neuron", p.LabelNeuron));
            }

            rows.Add(("optimistic-neuron", p.OptimisticNeuron));
            foreach (var (role, s) in rows)
            {
                foreach (var c in s.Clips)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{p.Strength:G6},{role},{Quote(s.Intervention)},{Quote(c.ClipId)},{c.UnsteeredScore:G6},{c.SteeredScore:G6},{c.UnsteeredReached},{c.SteeredReached},{s.MeanEditNorm:G6}\n");
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private sealed record SteerRequest(
        ModelDescription Description,
        string Tap,
        string SaePath,
        string Latent,
        string AudioFolder,
        SteeringMode Mode,
        IReadOnlyList<double> Strengths,
        IReadOnlyList<int>? Frames,
        string Target,
        string? OutputCsv,
        TapAxisSpec? Axes,
        int NeuronCandidates,
        double? MaxSeconds,
        LatentSelectionRule LatentRule,
        int TrialCandidates);
}
