using System.CommandLine;
using System.Globalization;
using System.Text;
using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.MlNet;
using ArdMl.Sae;
using ArdMl.Steering;
using Microsoft.ML;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard steer</c>: steer one SAE latent at a model's tap over a folder of clips and report the steering sensitivity
/// (share of clips whose output moves to the target) next to the best raw-neuron baseline at equal strength.
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
                + "labelled <label> relative to the other clips of the CSV (columns path,label; paths relative to the CSV's folder).",
            Required = true,
        };
        var audio = new Option<DirectoryInfo>("--audio", "-a") { Description = "Folder of clips to steer (searched recursively: WAV, FLAC, MP3, Ogg).", Required = true };
        var mode = new Option<SteeringMode>("--mode") { Description = "set, add or scale the latent (and the neurons).", DefaultValueFactory = _ => SteeringMode.Set };
        var strength = new Option<double>("--strength") { Description = "The value set or added (in activation-norm units), or the scale factor.", DefaultValueFactory = _ => 10 };
        var frames = new Option<string>("--frames") { Description = "Tap frames to edit: all, a range a-b (inclusive) or a list a,b,c (frames numbered across the clip).", DefaultValueFactory = _ => "all" };
        var target = new Option<string>("--target")
        {
            Description = "The target: <output>:<class index> (arg-max of the output is that class) or <output>:>=<threshold> / <output>:<=<threshold> (the output's mean).",
            Required = true,
        };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Per-clip CSV of unsteered vs steered target scores for the latent and the best neuron." };
        var axes = new Option<string?>("--axes") { Description = "Tap axes as frames=..;features=.. (default: from the description's tap layouts)." };
        var neurons = new Option<int>("--neurons") { Description = "Raw-neuron candidates tried as the baseline (largest |w_j| of the latent's decoder direction).", DefaultValueFactory = _ => SteeringSensitivityAnalysis.DefaultNeuronCandidates };
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "Use at most this many seconds of each clip." };
        var command = new Command("steer", "Steer an SAE latent inside a model and compare its steering sensitivity with the best raw neuron at equal strength.")
        {
            description, tap, sae, latent, audio, mode, strength, frames, target, output, axes, neurons, maxSeconds,
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
                    new SteeringEdit(parse.GetValue(mode), parse.GetValue(strength), SteeringUnits.ActivationNorm, ParseFrames(parse.GetValue(frames))),
                    parse.GetValue(target)!,
                    parse.GetValue(output)?.FullName,
                    parse.GetValue(axes) is { } a ? TapAxisSpec.Parse(a) : null,
                    parse.GetValue(neurons),
                    parse.GetValue(maxSeconds));
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

            int latentIndex = ResolveLatent(request, model, adapter);
            var intervention = new LatentIntervention(adapter, latentIndex, request.Edit);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Steering {request.Description.Name} at '{request.Tap}' (d={model.TapWidth}) with SAE m={adapter.LatentCount}: {intervention.Description}, "
                + $"‖w‖={intervention.DirectionNorm:G4}; target {target.Description} on '{outputName}'; {clips.Count} clips; {request.NeuronCandidates} neuron candidates."));

            var analysis = new SteeringSensitivityAnalysis(model, target);
            NeuronComparison? comparison = null;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("steering", maxValue: clips.Count * (1 + request.NeuronCandidates));
                    var progress = new ImmediateProgress<SteeringProgress>(p =>
                    {
                        task.Increment(1);
                        task.Description = Markup.Escape($"{p.Intervention}: {p.ClipsDone}/{p.ClipCount}");
                    });
                    comparison = analysis.CompareWithBestNeuron(clips, intervention, request.NeuronCandidates, progress);
                });

            Report(comparison!, target);
            if (request.OutputCsv is not null)
            {
                WriteCsv(request.OutputCsv, comparison!);
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(request.OutputCsv)}.");
            }

            return 0;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static int ResolveLatent(SteerRequest request, ISteeringModel model, TopKSaeSteeringAdapter adapter)
    {
        const string Auto = "auto:";
        if (!request.Latent.StartsWith(Auto, StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(request.Latent, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? index
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
        var labelled = ReadLabels(csv);
        var clips = LoadClips(Path.GetDirectoryName(csv)!, labelled.Select(l => l.Path).ToList(), request.Description.SampleRate, request.MaxSeconds);
        var input = clips.Select((c, i) => (c, labelled[i].Labels.Contains(label))).ToList();
        IReadOnlyList<LatentContrast> ranking = [];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape($"encoding labelled clips for '{label}'"), maxValue: clips.Count);
                ranking = LabelContrastLatentSelector.Rank(model, adapter, input, new ImmediateProgress<int>(n => task.Value = n));
            });

        var table = new Table().AddColumns("latent", $"mean ({label})", "mean (others)", "difference");
        foreach (var l in ranking.Take(5))
        {
            table.AddRow(
                l.Latent.ToString(CultureInfo.InvariantCulture),
                l.MeanWithLabel.ToString("G4", CultureInfo.InvariantCulture),
                l.MeanWithoutLabel.ToString("G4", CultureInfo.InvariantCulture),
                l.Difference.ToString("G4", CultureInfo.InvariantCulture));
        }

        AnsiConsole.MarkupLine(Markup.Escape(
            $"Latents by label contrast for '{label}' ({input.Count(c => c.Item2)} labelled, {input.Count(c => !c.Item2)} other clips of {csv}):"));
        AnsiConsole.Write(table);
        return ranking[0].Latent;
    }

    private static List<(string Path, HashSet<string> Labels)> ReadLabels(string csv)
    {
        if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"Labels CSV '{csv}' does not exist.", csv);
        }

        var lines = File.ReadAllLines(csv).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2 || !lines[0].Replace(" ", "", StringComparison.Ordinal).Equals("path,label", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Labels CSV '{csv}': expected the header 'path,label' and at least one row.");
        }

        var rows = new List<(string, HashSet<string>)>();
        for (int i = 1; i < lines.Count; i++)
        {
            int comma = lines[i].IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0)
            {
                throw new InvalidDataException($"Labels CSV '{csv}', line {i + 1}: expected path,label.");
            }

            var labels = lines[i][(comma + 1)..].Trim().Trim('"').Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            rows.Add((lines[i][..comma].Trim().Trim('"'), labels.ToHashSet(StringComparer.Ordinal)));
        }

        return rows;
    }

    private static List<SteeringClip> LoadClips(string root, IReadOnlyList<string> paths, int sampleRate, double? maxSeconds) =>
        [.. paths.Select(p => new SteeringClip(p, AudioLoader.LoadMono(Path.Combine(root, p), sampleRate, maxSeconds)))];

    private static void Report(NeuronComparison comparison, ISteeringTarget target)
    {
        var table = new Table().AddColumns("intervention", "clips", "already at target", "eligible", "moved", "sensitivity", "mean score shift");
        void Row(SteeringSensitivity s, string label) => table.AddRow(
            Markup.Escape(label),
            s.ClipCount.ToString(CultureInfo.InvariantCulture),
            s.AlreadyAtTarget.ToString(CultureInfo.InvariantCulture),
            s.Eligible.ToString(CultureInfo.InvariantCulture),
            s.Moved.ToString(CultureInfo.InvariantCulture),
            double.IsNaN(s.Share) ? "n/a" : s.Share.ToString("P1", CultureInfo.InvariantCulture),
            s.MeanScoreShift.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture));
        Row(comparison.Latent, "SAE latent");
        Row(comparison.BestNeuron, "best neuron");
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Steering sensitivity (share of clips not at '{target.Description}' unsteered that reach it steered) of the SAE latent "
            + $"({comparison.Latent.Intervention}) and the best raw neuron at equal strength ({comparison.BestNeuron.Intervention}):"));
        AnsiConsole.Write(table);
        var moved = string.Join(", ", comparison.Candidates.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Neuron}:{c.Sensitivity.Moved}")));
        AnsiConsole.MarkupLine(Markup.Escape($"Neuron candidates (neuron:moved): {moved}"));
    }

    private static void WriteCsv(string path, NeuronComparison comparison)
    {
        var text = new StringBuilder("clip,intervention,unsteered_score,steered_score,unsteered_reached,steered_reached\n");
        foreach (var s in new[] { comparison.Latent, comparison.BestNeuron })
        {
            foreach (var c in s.Clips)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Quote(c.ClipId)},{Quote(s.Intervention)},{c.UnsteeredScore:G6},{c.SteeredScore:G6},{c.UnsteeredReached},{c.SteeredReached}\n");
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
        SteeringEdit Edit,
        string Target,
        string? OutputCsv,
        TapAxisSpec? Axes,
        int NeuronCandidates,
        double? MaxSeconds);
}
