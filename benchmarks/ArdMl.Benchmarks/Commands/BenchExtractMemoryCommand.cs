using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Cli.Commands;
using ArdMl.Demo;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench extract-memory</c>: peak resident memory (VmHWM) of extraction over a small and a large generated
/// corpus of short WAV clips, each measurement in a fresh process: (a) the ML.NET pipeline LoadAudio →
/// ExtractActivations read through an IDataView cursor and (b) <c>ard extract</c> itself writing activation shards.
/// Streaming means the peak at the large corpus is about the peak at the small one (ratio ≈ 1).
/// </summary>
internal static class BenchExtractMemoryCommand
{
    private const string ResultTag = "ARD-BENCH-EXTRACT-MEMORY-RESULT";
    private const int ClipRate = 16_000;

    public static Command Create()
    {
        var description = new Option<FileInfo?>("--model-description", "-d") { Description = "Model description JSON; default: models/demo/demo-sound-events.json." };
        var clips = new Option<int>("--clips") { Description = "Clips of the large run (the generated corpus).", DefaultValueFactory = _ => 10_000 };
        var smallClips = new Option<int>("--small-clips") { Description = "Clips of the small run (every (clips / small-clips)-th clip, as ard extract --shard 0/n).", DefaultValueFactory = _ => 1_000 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Shortest generated clip.", DefaultValueFactory = _ => 0.5 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Longest generated clip.", DefaultValueFactory = _ => 1.0 };
        var corpus = new Option<DirectoryInfo?>("--corpus") { Description = "Internal: the generated corpus of one measurement.", Hidden = true };
        var run = new Option<string?>("--measure") { Description = "Internal: run one measurement (mlnet or extract) in this process.", Hidden = true };
        var parts = new Option<int>("--every") { Description = "Internal: take clips k with k mod every = 0.", Hidden = true, DefaultValueFactory = _ => 1 };
        var command = new Command("extract-memory", "Peak memory of extraction (ML.NET cursor and ard extract shard writing) at two corpus sizes, one process each.")
        {
            description, clips, smallClips, minSeconds, maxSeconds, corpus, run, parts,
        };
        command.SetAction(parse =>
        {
            var descriptionPath = parse.GetValue(description)?.FullName ?? DemoModelPackage.FindCommittedDescription();
            if (descriptionPath is null)
            {
                Console.Error.WriteLine("No models/demo/demo-sound-events.json above the current directory; pass --description.");
                return 1;
            }

            if (parse.GetValue(run) is { } kind)
            {
                return RunChild(kind, descriptionPath, parse.GetValue(corpus)?.FullName ?? throw new ArgumentException("--corpus is required with --measure."), Math.Max(1, parse.GetValue(parts)));
            }

            var large = parse.GetValue(clips);
            var small = parse.GetValue(smallClips);
            var shortest = parse.GetValue(minSeconds);
            var longest = parse.GetValue(maxSeconds);
            if (large < 1 || small < 1 || small > large || !(shortest > 0) || longest < shortest)
            {
                Console.Error.WriteLine("--clips and --small-clips must be positive with small-clips <= clips, and 0 < min-seconds <= max-seconds.");
                return 1;
            }

            return Run(descriptionPath, large, small, shortest, longest);
        });
        return command;
    }

    private static int Run(string descriptionPath, int clips, int smallClips, double minSeconds, double maxSeconds)
    {
        var folder = Directory.CreateTempSubdirectory("ard-bench-extract-memory-").FullName;
        try
        {
            var corpus = Path.Combine(folder, "corpus");
            Directory.CreateDirectory(corpus);
            var watch = Stopwatch.StartNew();
            long samples = 0;
            for (var i = 0; i < clips; i++)
            {
                samples += WriteClip(corpus, i, minSeconds, maxSeconds);
            }

            var parts = Math.Max(1, clips / smallClips);
            AnsiConsole.MarkupLine(
                $"[bold]ard-bench extract-memory[/]: {Markup.Escape(ModelDescription.Load(descriptionPath).Name)}; generated {clips:N0} clips of {minSeconds}–{maxSeconds} s " +
                $"(16 kHz 16-bit WAV, {samples / (double)ClipRate:F0} s of audio) in {watch.Elapsed.TotalSeconds:F1} s; small run = every {parts}th clip; one intra-op thread; " +
                $"{Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
            var table = new Table().AddColumns("run", "clips", "frames", "wall s", "clips/s", "VmHWM MiB", "VmHWM − start MiB");
            var results = new List<(string Kind, Measurement Result)>();
            foreach (var kind in new[] { "mlnet", "extract" })
            {
                foreach (var n in new[] { parts, 1 })
                {
                    var result = MeasureInChild(kind, descriptionPath, corpus, n, Path.Combine(folder, $"shards-{kind}-{n}"));
                    results.Add((kind, result));
                    table.AddRow(
                        kind == "mlnet" ? "ML.NET LoadAudio → ExtractActivations, cursor" : "ard extract → ActivationShardWriter",
                        result.Clips.ToString("N0", CultureInfo.InvariantCulture),
                        result.Frames.ToString("N0", CultureInfo.InvariantCulture),
                        result.Seconds.ToString("F1", CultureInfo.InvariantCulture),
                        (result.Clips / result.Seconds).ToString("F1", CultureInfo.InvariantCulture),
                        Mib(result.HighWaterBytes),
                        Mib(result.HighWaterBytes - result.StartBytes));
                    Directory.Delete(Path.Combine(folder, $"shards-{kind}-{n}"), recursive: true);
                }
            }

            AnsiConsole.Write(table);
            foreach (var kind in new[] { "mlnet", "extract" })
            {
                var pair = results.Where(r => r.Kind == kind).Select(r => r.Result).ToList();
                AnsiConsole.MarkupLine(
                    $"{kind}: peak memory ratio {pair[1].Clips:N0} vs {pair[0].Clips:N0} clips = {(double)pair[1].HighWaterBytes / pair[0].HighWaterBytes:F3} " +
                    $"(growth during the run: {(double)(pair[1].HighWaterBytes - pair[1].StartBytes) / Math.Max(1, pair[0].HighWaterBytes - pair[0].StartBytes):F3}); bounded ⇔ ≈ 1.");
            }

            AnsiConsole.MarkupLine("Each run is a fresh process: VmHWM = its peak resident memory from the start of the measured run (runtime and model included); start = VmRSS then, after a 16-clip warm-up.");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int RunChild(string kind, string descriptionPath, string corpus, int parts)
    {
        var clipPaths = Directory.EnumerateFiles(corpus, "*.wav").Count();
        var selected = Enumerable.Range(0, clipPaths).Where(k => k % parts == 0);
        var output = Path.Combine(Path.GetDirectoryName(corpus)!, $"shards-{kind}-{parts}");
        Func<long?> measured;
        if (kind == "mlnet")
        {
            var ml = new MLContext(seed: 1);
            var pipeline = ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { SampleRate = ClipRate })
                .Append(ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions { ModelDescriptionPath = descriptionPath, IntraOpThreads = 1 }));
            IDataView View(IEnumerable<int> indices) => ml.Data.LoadFromEnumerable(indices.Select(k => new PathRow { Path = ClipPath(corpus, k) }));
            var model = pipeline.Fit(View(selected.Take(1)));
            _ = CountFrames(model.Transform(View(selected.Take(16))));
            measured = () => CountFrames(model.Transform(View(selected)));
        }
        else if (kind == "extract")
        {
            // Warm-up on a separate folder, then the real command line of ard extract over the corpus.
            var warmCorpus = Path.Combine(Path.GetDirectoryName(corpus)!, "warm-up");
            Directory.CreateDirectory(warmCorpus);
            for (var k = 0; k < 16; k++)
            {
                File.Copy(ClipPath(corpus, k), ClipPath(warmCorpus, k), overwrite: true);
            }

            var warmShards = Path.Combine(Path.GetDirectoryName(corpus)!, "warm-up-shards");
            if (Directory.Exists(warmShards))
            {
                Directory.Delete(warmShards, recursive: true);
            }

            RunExtract(descriptionPath, warmCorpus, warmShards, 1);
            measured = () =>
            {
                RunExtract(descriptionPath, corpus, output, parts);
                return null;
            };
        }
        else
        {
            Console.Error.WriteLine($"--run must be mlnet or extract, not '{kind}'.");
            return 1;
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        ResetHighWaterMark();
        var start = ReadStatus("VmRSS");
        var watch = Stopwatch.StartNew();
        var frames = measured();
        var seconds = watch.Elapsed.TotalSeconds;
        var highWater = ReadStatus("VmHWM");

        // Shard writing: the frames written, read back from the completed manifest after the peak was taken.
        var frameTotal = frames ?? ActivationShardReader.Open(parts > 1 ? Path.Combine(output, $"part-0-of-{parts}") : output).Manifest.TokenCount ?? 0;
        Console.WriteLine(string.Join(' ', ResultTag, selected.Count().ToString(CultureInfo.InvariantCulture), frameTotal.ToString(CultureInfo.InvariantCulture),
            seconds.ToString("R", CultureInfo.InvariantCulture), start.ToString(CultureInfo.InvariantCulture), highWater.ToString(CultureInfo.InvariantCulture)));
        return 0;
    }

    private static long CountFrames(IDataView view)
    {
        var activations = view.Schema["Activations"];
        var frameCount = view.Schema["FrameCount"];
        using var cursor = view.GetRowCursor([activations, frameCount]);
        var activationsGetter = cursor.GetGetter<VBuffer<float>>(activations);
        var frameGetter = cursor.GetGetter<int>(frameCount);
        var buffer = default(VBuffer<float>);
        var count = 0;
        long frames = 0;
        while (cursor.MoveNext())
        {
            activationsGetter(ref buffer);
            frameGetter(ref count);
            frames += count;
        }

        return frames;
    }

    private static void RunExtract(string descriptionPath, string corpus, string output, int parts)
    {
        var code = ExtractCommand.Create()
            .Parse(["-d", descriptionPath, "-a", corpus, "-o", output, "--threads", "1", "--shard", $"0/{parts}"])
            .Invoke();
        if (code != 0)
        {
            throw new InvalidOperationException($"ard extract over {corpus} failed with exit code {code}.");
        }
    }

    private static Measurement MeasureInChild(string kind, string descriptionPath, string corpus, int parts, string output)
    {
        var executable = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the ard executable to start a measurement.");
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(executable) is "dotnet")
        {
            arguments.Add(typeof(BenchExtractMemoryCommand).Assembly.Location);
        }

        arguments.AddRange(["extract-memory", "-d", descriptionPath, "--corpus", corpus, "--measure", kind, "--every", $"{parts}"]);
        var start = new ProcessStartInfo(executable, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var errors = child.StandardError.ReadToEndAsync();
        var text = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultTag, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Measurement {kind} 0/{parts} failed (exit code {child.ExitCode}): {text}{errors.Result}");
        Directory.CreateDirectory(output);
        var f = line.Split(' ');
        return new Measurement(
            int.Parse(f[1], CultureInfo.InvariantCulture),
            long.Parse(f[2], CultureInfo.InvariantCulture),
            double.Parse(f[3], CultureInfo.InvariantCulture),
            long.Parse(f[4], CultureInfo.InvariantCulture),
            long.Parse(f[5], CultureInfo.InvariantCulture));
    }

    private static string ClipPath(string folder, int index) => Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"clip_{index:D6}.wav"));

    /// <summary>A deterministic clip: a tone burst with harmonics, a noise burst or a chirp, over quiet noise; its length depends on the index.</summary>
    private static int WriteClip(string folder, int index, double minSeconds, double maxSeconds)
    {
        var state = ((ulong)index * 0x9E3779B97F4A7C15UL) + 0x2545F4914F6CDD1DUL;
        double Next()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return ((state * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / 9007199254740992.0);
        }

        var length = (int)(ClipRate * (minSeconds + ((maxSeconds - minSeconds) * Next())));
        var samples = new float[Math.Max(1, length)];
        var kind = index % 3;
        var pitch = 110 + (Next() * 600);
        for (var n = 0; n < samples.Length; n++)
        {
            var t = n / (double)ClipRate;
            var envelope = Math.Sin(Math.PI * n / samples.Length);
            var value = kind switch
            {
                0 => Math.Sin(2 * Math.PI * pitch * t) + (0.5 * Math.Sin(4 * Math.PI * pitch * t)),
                1 => (Next() * 2) - 1,
                _ => Math.Sin(2 * Math.PI * pitch * t * (1 + (2 * t))),
            };
            samples[n] = (float)((0.3 * envelope * value) + (0.01 * ((Next() * 2) - 1)));
        }

        WavWriter.Write(ClipPath(folder, index), samples, ClipRate, 1, WavSampleFormat.Pcm16);
        return samples.Length;
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    private static void ResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not reset VmHWM ({exception.Message}); the peak includes the warm-up.");
        }
    }

    private static long ReadStatus(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private sealed record Measurement(int Clips, long Frames, double Seconds, long StartBytes, long HighWaterBytes);

    private sealed class PathRow
    {
        public string Path { get; set; } = string.Empty;
    }
}
