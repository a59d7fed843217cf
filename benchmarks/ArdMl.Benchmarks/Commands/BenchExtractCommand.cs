using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Benchmarks.Extraction;
using ArdMl.Cli.Commands;
using Spectre.Console;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench extract</c>: for each model description, extraction throughput (clips/s, seconds of audio per second)
/// and the engine's overhead: the engine end to end (decode excluded) against a bare InferenceSession.Run loop over
/// the very inputs the engine built, same batch sizes and session options, measured alternately in one run.
/// </summary>
internal static class BenchExtractCommand
{
    private const double TargetOverhead = 0.10;

    public static Command Create()
    {
        var descriptions = new Option<FileInfo[]>("--model-description", "-d") { Description = "Model description JSON (repeatable); default: every models/*.json." };
        var audio = new Option<DirectoryInfo[]>("--audio", "-a") { Description = "Audio folder (repeatable); default: ../shared/data/fsdd/recordings and ../shared/data/sonic-pi-samples." };
        var clips = new Option<int>("--clips") { Description = "Clips taken from each audio folder (evenly spread).", DefaultValueFactory = _ => 24 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Longest audio used per clip.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--windows-per-run") { Description = "Windows per model run (or clips in lockstep for recurrent models).", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads for both sides.", DefaultValueFactory = _ => 1 };
        var workers = new Option<int>("--workers")
        {
            Description = "Also time the engine with this many workers against one worker, alternately (1: no comparison). With --threads t, the workers get t / workers intra-op threads each (at least 1).",
            DefaultValueFactory = _ => 1,
        };
        var runs = new Option<int>("--runs") { Description = "Timed rounds (engine and bare loop alternate; medians are reported).", DefaultValueFactory = _ => 5 };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the results as a Markdown table to this file." };
        var command = new Command("extract", "Extraction throughput per model and the engine's overhead over a bare InferenceSession.Run loop.")
        {
            descriptions, audio, clips, maxSeconds, batch, threads, workers, runs, markdown,
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(
                    [.. (parse.GetValue(descriptions) ?? []).Select(f => f.FullName)],
                    [.. (parse.GetValue(audio) ?? []).Select(d => d.FullName)],
                    Math.Max(1, parse.GetValue(clips)),
                    parse.GetValue(maxSeconds),
                    Math.Max(1, parse.GetValue(batch)),
                    Math.Max(0, parse.GetValue(threads)),
                    Math.Max(1, parse.GetValue(workers)),
                    Math.Max(1, parse.GetValue(runs)),
                    parse.GetValue(markdown),
                    string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            }
            catch (Exception e) when (e is ModelDescriptionException or FileNotFoundException or DirectoryNotFoundException or ModelInputMismatchException or UnknownTapException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    private static int Run(string[] descriptionPaths, string[] audioFolders, int clipsPerFolder, double maxSeconds, int batch, int threads, int workerCount, int runs, FileInfo? markdown, string commandLine)
    {
        if (descriptionPaths.Length == 0)
        {
            var models = FindUpwards("models") ?? throw new DirectoryNotFoundException("No models/ folder above the current directory; pass --model-description.");
            descriptionPaths = [.. Directory.GetFiles(models, "*.json").Order(StringComparer.Ordinal)];
        }

        if (audioFolders.Length == 0)
        {
            var data = FindUpwards(Path.Combine("..", "shared", "data")) ?? throw new DirectoryNotFoundException("No ../shared/data found; pass --audio.");
            audioFolders = [Path.Combine(data, "fsdd", "recordings"), Path.Combine(data, "sonic-pi-samples")];
        }

        var files = audioFolders.SelectMany(folder =>
        {
            var all = ExtractCommand.FindAudio(folder);
            var step = Math.Max(1, all.Count / clipsPerFolder);
            return all.Where((_, i) => i % step == 0).Take(clipsPerFolder).Select(f => Path.Combine(folder, f));
        }).ToList();

        Console.WriteLine($"ard-bench extract: {files.Count} clips (≤ {maxSeconds} s each) from {string.Join(", ", audioFolders)}; batch {batch}, {threads} intra-op thread(s), median of {runs} alternating rounds after a warm-up.");
        Console.WriteLine("Engine = ActivationExtractor.ExtractBatch on pre-decoded samples (decode excluded); bare = InferenceSession.Run over the same model inputs the engine built.");
        var workerThreads = threads == 0 ? 0 : Math.Max(1, threads / workerCount);
        if (workerCount > 1)
        {
            Console.WriteLine($"Workers: the engine with {workerCount} workers ({workerThreads} intra-op thread(s) each) alternates with the one-worker engine; results must be identical.");
        }

        string[] columns = ["model", "tap (d)", "audio s", "model runs / pass", "decode x RT", "engine clips/s", "engine audio s/s", "bare audio s/s", "engine / bare", "with decode audio s/s"];
        if (workerCount > 1)
        {
            columns = [.. columns, $"{workerCount} workers audio s/s", $"{workerCount} workers / 1", "cores used (1 / n workers)", "CPU s n workers / 1", "identical"];
        }

        var table = new Table().AddColumns(columns);
        var rows = new List<string[]>();
        var failed = false;
        foreach (var path in descriptionPaths)
        {
            var description = ModelDescription.Load(path);
            var options = new ActivationExtractorOptions { BatchSize = batch, IntraOpThreads = threads, NonFinite = NonFiniteActivationPolicy.SkipClip };
            using var extractor = ActivationExtractor.Create(description, options: options);
            var decodeWatch = Stopwatch.StartNew();
            var clips = new List<AudioClip>();
            foreach (var file in files)
            {
                try
                {
                    clips.Add(new AudioClip(Path.GetFileName(file), AudioLoader.LoadMono(file, extractor.InputSampleRate, maxSeconds)));
                }
                catch (AudioDecodeException e)
                {
                    Console.Error.WriteLine($"skipped {file}: {e.Message}");
                }
            }

            var decodeSeconds = decodeWatch.Elapsed.TotalSeconds;
            var audioSeconds = clips.Sum(c => c.Samples.Length) / (double)extractor.InputSampleRate;
            using var baseline = ExtractionBaseline.Record(extractor, clips);
            baseline.Run();
            using var parallel = workerCount > 1
                ? ActivationExtractor.Create(description, options: options.WithWorkers(workerCount, workerThreads))
                : null;
            var identical = parallel is null || SameActivations(extractor.ExtractBatch(clips), parallel.ExtractBatch(clips));
            var engineTimes = new List<double>();
            var bareTimes = new List<double>();
            var parallelTimes = new List<double>();
            var engineCpu = new List<double>();
            var parallelCpu = new List<double>();
            using var process = Process.GetCurrentProcess();
            double CpuSeconds()
            {
                process.Refresh();
                return process.TotalProcessorTime.TotalSeconds;
            }

            for (var round = 0; round < runs; round++)
            {
                var cpu = CpuSeconds();
                var watch = Stopwatch.StartNew();
                _ = extractor.ExtractBatch(clips);
                engineTimes.Add(watch.Elapsed.TotalSeconds);
                engineCpu.Add(CpuSeconds() - cpu);
                watch.Restart();
                baseline.Run();
                bareTimes.Add(watch.Elapsed.TotalSeconds);
                if (parallel is not null)
                {
                    cpu = CpuSeconds();
                    watch.Restart();
                    _ = parallel.ExtractBatch(clips);
                    parallelTimes.Add(watch.Elapsed.TotalSeconds);
                    parallelCpu.Add(CpuSeconds() - cpu);
                }
            }

            var engine = Median(engineTimes);
            var bare = Median(bareTimes);
            var ratio = engine / bare;
            failed |= ratio > 1 + TargetOverhead;
            var tap = extractor.Taps[0];
            string[] row =
            [
                description.Name,
                $"{tap} ({extractor.WidthOf(tap)})",
                F(audioSeconds, 1),
                baseline.RunCount.ToString(CultureInfo.InvariantCulture),
                F(audioSeconds / decodeSeconds, 0),
                F(clips.Count / engine, 1),
                F(audioSeconds / engine, 1),
                F(audioSeconds / bare, 1),
                F(ratio, 3),
                F(audioSeconds / (engine + decodeSeconds), 1),
            ];
            if (parallel is not null)
            {
                var parallelSeconds = Median(parallelTimes);
                row =
                [
                    .. row, F(audioSeconds / parallelSeconds, 1), F(engine / parallelSeconds, 2),
                    $"{F(Median(engineCpu) / engine, 2)} / {F(Median(parallelCpu) / parallelSeconds, 2)}", F(Median(parallelCpu) / Median(engineCpu), 2), identical ? "yes" : "NO",
                ];
                failed |= !identical;
            }

            rows.Add(row);
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        AnsiConsole.Write(table);
        Console.WriteLine($"target: engine / bare <= {1 + TargetOverhead:F2} -> {(failed ? "MISSED for at least one model" : "met for every model")}");
        var logMel = MeasureWhisperLogMel(runs);
        Console.WriteLine($"Whisper log-mel front end (80 bins, 60 s of audio, one thread): {logMel:F0} x real time");
        if (markdown is not null)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"Command: `ard {commandLine}`").AppendLine();
            text.AppendLine("| " + string.Join(" | ", columns) + " |");
            text.AppendLine("| --- | --- |" + string.Concat(Enumerable.Repeat(" ---: |", columns.Length - 2)));
            foreach (var row in rows)
            {
                text.AppendLine("| " + string.Join(" | ", row) + " |");
            }

            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Whisper log-mel front end (80 bins, 60 s of audio, one thread): {logMel:F0} x real time.");
            File.WriteAllText(markdown.FullName, text.ToString());
        }

        return failed ? 3 : 0;
    }

    private static bool SameActivations(IReadOnlyList<ClipActivations> a, IReadOnlyList<ClipActivations> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => pair.First.ClipId == pair.Second.ClipId && pair.First.Status == pair.Second.Status
            && pair.First.Taps.Zip(pair.Second.Taps).All(t => t.First.FrameCount == t.Second.FrameCount && t.First.Data.AsSpan().SequenceEqual(t.Second.Data)));

    private static double MeasureWhisperLogMel(int runs)
    {
        var random = new Random(5);
        var samples = new float[60 * WhisperLogMel.SampleRate];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)((0.3 * Math.Sin(i * 0.05)) + (0.05 * ((random.NextDouble() * 2) - 1)));
        }

        var logMel = WhisperLogMel.Create();
        _ = logMel.Compute(samples, out _);
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            _ = logMel.Compute(samples, out _);
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return 60 / Median(times);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string? FindUpwards(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.GetFullPath(Path.Combine(directory.FullName, relative));
                if (Directory.Exists(candidate) && (relative != "models" || File.Exists(Path.Combine(candidate, "silero-vad.json"))))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
