using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ArdMl.Benchmarks.Measurement;
using ArdMl.Concepts;
using Spectre.Console;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench concepts</c>: throughput of the concept ranker (clip-latent updates per second) and peak memory
/// (VmHWM) on deterministic generated statistics, at a large and a small clip count to show that memory does not
/// depend on the number of clips.
/// </summary>
internal static class BenchConceptsCommand
{
    public static Command Create()
    {
        var clips = new Option<int>("--clips") { Description = "Clips of the large run.", DefaultValueFactory = _ => 100_000 };
        var smallClips = new Option<int>("--small-clips") { Description = "Clips of the small run.", DefaultValueFactory = _ => 10_000 };
        var latents = new Option<int>("--latents") { Description = "Latents (m).", DefaultValueFactory = _ => 32_768 };
        var active = new Option<int>("--active") { Description = "Active latents per clip (sparse statistics).", DefaultValueFactory = _ => 1_000 };
        var perSet = new Option<int>("--p") { Description = "Clips per H/L set.", DefaultValueFactory = _ => ConceptRankerOptions.DefaultClipsPerSet };
        var skipDense = new Option<bool>("--skip-dense") { Description = "Skip the dense-input runs." };
        var runIndex = new Option<int?>("--run-index") { Description = "Internal: run one measurement in this process.", Hidden = true };
        var command = new Command("concepts", "Concept ranking throughput and peak memory at two corpus sizes.")
        {
            clips, smallClips, latents, active, perSet, skipDense, runIndex,
        };
        command.SetAction(parse => Run(
            parse.GetValue(clips),
            parse.GetValue(smallClips),
            parse.GetValue(latents),
            parse.GetValue(active),
            parse.GetValue(perSet),
            parse.GetValue(skipDense),
            parse.GetValue(runIndex)));
        return command;
    }

    private static int Run(int clips, int smallClips, int latents, int active, int p, bool skipDense, int? runIndex)
    {
        if (clips <= 0 || smallClips <= 0 || latents <= 0 || active <= 0 || active > latents / 2 || p <= 0)
        {
            AnsiConsole.MarkupLine("[red]--clips, --small-clips, --latents and --p must be positive and --active at most latents/2.[/]");
            return 1;
        }

        var runs = new List<(string Name, int Clips, bool Dense, RankingCriterion Criterion, bool CheckDuplicates)>
        {
            ("sparse μ·c", smallClips, false, RankingCriterion.MeanTimesCoverage, true),
            ("sparse μ·c", clips, false, RankingCriterion.MeanTimesCoverage, true),
            ("sparse μ·c, no duplicate-id check", smallClips, false, RankingCriterion.MeanTimesCoverage, false),
            ("sparse μ·c, no duplicate-id check", clips, false, RankingCriterion.MeanTimesCoverage, false),
        };
        if (!skipDense)
        {
            runs.Add(("dense μ·c", smallClips, true, RankingCriterion.MeanTimesCoverage, true));
            runs.Add(("dense μ·c", clips, true, RankingCriterion.MeanTimesCoverage, true));
        }

        runs.Add(("sparse coverage-only", smallClips, false, RankingCriterion.Coverage, true));
        runs.Add(("sparse random", smallClips, false, RankingCriterion.Random, true));

        if (runIndex is { } index)
        {
            if (index < 0 || index >= runs.Count)
            {
                Console.Error.WriteLine($"--run-index must be in 0..{runs.Count - 1}.");
                return 1;
            }

            var run = runs[index];
            // Warm-up (not reported): lets the JIT reach optimised code before anything is timed.
            Measure(run.Criterion, Math.Min(run.Clips, 3_000), latents, active, p, run.Dense, run.CheckDuplicates);
            var single = Measure(run.Criterion, run.Clips, latents, active, p, run.Dense, run.CheckDuplicates);
            Console.WriteLine(string.Join(' ', ResultTag, single.Seconds.ToString("R", CultureInfo.InvariantCulture),
                single.CpuSeconds.ToString("R", CultureInfo.InvariantCulture), single.ActivePairs.ToString(CultureInfo.InvariantCulture),
                single.HeldClips.ToString(CultureInfo.InvariantCulture), single.StateBytes.ToString(CultureInfo.InvariantCulture),
                single.StartBytes.ToString(CultureInfo.InvariantCulture), single.HighWaterBytes.ToString(CultureInfo.InvariantCulture)));
            return 0;
        }

        AnsiConsole.MarkupLine(
            $"[bold]ard-bench concepts[/]: m = {latents:N0} latents, {active:N0} active latents per clip, p = {p}, " +
            $"{Environment.ProcessorCount} logical cores, .NET {Environment.Version}");
        var table = new Table()
            .AddColumn("run")
            .AddColumn(new TableColumn("clips").RightAligned())
            .AddColumn(new TableColumn("wall s").RightAligned())
            .AddColumn(new TableColumn("thread CPU s").RightAligned())
            .AddColumn(new TableColumn("clip-latent updates/s").RightAligned())
            .AddColumn(new TableColumn("active updates/s").RightAligned())
            .AddColumn(new TableColumn("held clip ids").RightAligned())
            .AddColumn(new TableColumn("ranker state MiB").RightAligned())
            .AddColumn(new TableColumn("VmHWM MiB").RightAligned())
            .AddColumn(new TableColumn("VmHWM − start MiB").RightAligned());

        var results = new List<(string Name, int Clips, double UpdatesPerSecond, long HighWater)>();
        var measurements = new Measurement[runs.Count];
        AnsiConsole.Progress().Start(context =>
        {
            var progress = context.AddTask("measurements (one process each)", maxValue: runs.Count);
            for (var i = 0; i < runs.Count; i++)
            {
                progress.Description = $"{runs[i].Name}, {runs[i].Clips:N0} clips";
                measurements[i] = MeasureInChild(i, clips, smallClips, latents, active, p, skipDense);
                progress.Increment(1);
            }
        });
        for (var i = 0; i < runs.Count; i++)
        {
            var (name, count, _, _, _) = runs[i];
            var result = measurements[i];
            results.Add((name, count, result.UpdatesPerSecond(count, latents), result.HighWaterBytes));
            table.AddRow(
                Markup.Escape(name),
                count.ToString("N0", CultureInfo.InvariantCulture),
                result.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                result.CpuSeconds.ToString("F2", CultureInfo.InvariantCulture),
                result.UpdatesPerSecond(count, latents).ToString("E3", CultureInfo.InvariantCulture),
                (result.ActivePairs / result.CpuSeconds).ToString("E3", CultureInfo.InvariantCulture),
                result.HeldClips.ToString("N0", CultureInfo.InvariantCulture),
                Mib(result.StateBytes),
                Mib(result.HighWaterBytes),
                Mib(result.HighWaterBytes - result.StartBytes));
        }

        AnsiConsole.Write(table);
        var small = results.First(r => r.Name == "sparse μ·c" && r.Clips == smallClips);
        var large = results.Last(r => r.Name == "sparse μ·c" && r.Clips == clips);
        AnsiConsole.MarkupLine(
            $"Peak memory ratio, sparse μ·c, {clips:N0} vs {smallClips:N0} clips: " +
            $"{(double)large.HighWater / small.HighWater:F3} (clip count ratio {(double)clips / smallClips:F1}).");
        var smallPlain = results.First(r => r.Name.Contains("no duplicate", StringComparison.Ordinal) && r.Clips == smallClips);
        var largePlain = results.Last(r => r.Name.Contains("no duplicate", StringComparison.Ordinal) && r.Clips == clips);
        AnsiConsole.MarkupLine(
            $"Peak memory ratio without the duplicate-id set: {(double)largePlain.HighWater / smallPlain.HighWater:F3}.");
        AnsiConsole.MarkupLine(
            $"Held clip ids are bounded by 2·m·p = {2L * latents * p:N0}; below that bound they grow with the clips that win a place.");
        AnsiConsole.MarkupLine("Rates are per second of CPU time of the thread feeding the ranker (wall time is shown too; this machine may be shared).");
        AnsiConsole.MarkupLine("Updates = clips × latents (every clip-latent pair the ranker accounts for); active = pairs with c > 0.");
        AnsiConsole.MarkupLine("Each run is a fresh process (VmHWM = its peak resident memory, runtime included; \"− start\" = growth during the timed run after a warm-up); generation of the statistics is excluded from the timings.");
        return 0;
    }

    private static Measurement Measure(
        RankingCriterion criterion, int clips, int latents, int active, int p, bool dense, bool checkDuplicates)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        ResetHighWaterMark();
        var start = ProcessMemory.CurrentResidentBytes() ?? 0;
        var ranker = new ConceptRanker(latents, new ConceptRankerOptions
        {
            ClipsPerSet = p,
            Criterion = criterion,
            RejectDuplicateClipIds = checkDuplicates,
        });
        var generator = new SyntheticClipStatistics(latents, active);
        var indices = new int[active];
        var mean = new float[active];
        var coverage = new float[active];
        var denseMean = dense ? new float[latents] : [];
        var denseCoverage = dense ? new float[latents] : [];
        var watch = new Stopwatch();
        var cpu = TimeSpan.Zero;
        long activePairs = 0;
        {
            for (var i = 0; i < clips; i++)
            {
                var n = generator.Fill(i, indices, mean, coverage);
                activePairs += n;
                var id = string.Create(CultureInfo.InvariantCulture, $"clip-{i:D7}");
                if (dense)
                {
                    for (var k = 0; k < n; k++)
                    {
                        denseMean[indices[k]] = mean[k];
                        denseCoverage[indices[k]] = coverage[k];
                    }

                    var cpuStart = ThreadCpu();
                    watch.Start();
                    ranker.AddClip(id, denseMean, denseCoverage);
                    watch.Stop();
                    cpu += ThreadCpu() - cpuStart;
                    for (var k = 0; k < n; k++)
                    {
                        denseMean[indices[k]] = 0f;
                        denseCoverage[indices[k]] = 0f;
                    }
                }
                else
                {
                    var cpuStart = ThreadCpu();
                    watch.Start();
                    ranker.AddClip(id, indices.AsSpan(0, n), mean.AsSpan(0, n), coverage.AsSpan(0, n));
                    watch.Stop();
                    cpu += ThreadCpu() - cpuStart;
                }
            }
        }

        var ranking = ranker.Complete();
        var highWater = ProcessMemory.PeakResidentBytes() ?? 0;
        GC.KeepAlive(ranking);
        return new Measurement(watch.Elapsed.TotalSeconds, cpu.TotalSeconds, activePairs, ranker.HeldClipCount, ranker.StateBytes, start, highWater);
    }

    private const string ResultTag = "ARD-BENCH-CONCEPTS-RESULT";

    private static Measurement MeasureInChild(int index, int clips, int smallClips, int latents, int active, int p, bool skipDense)
    {
        var executable = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the ard executable to start a measurement.");
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(executable) is "dotnet")
        {
            arguments.Add(typeof(BenchConceptsCommand).Assembly.Location);
        }

        arguments.AddRange(
        [
            "concepts", "--clips", $"{clips}", "--small-clips", $"{smallClips}", "--latents", $"{latents}",
            "--active", $"{active}", "--p", $"{p}", "--run-index", $"{index}",
        ]);
        if (skipDense)
        {
            arguments.Add("--skip-dense");
        }

        var start = new ProcessStartInfo(executable, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var output = child.StandardOutput.ReadToEnd();
        var errors = child.StandardError.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultTag, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Measurement {index} failed (exit code {child.ExitCode}): {output}{errors}");
        var f = line.Split(' ');
        return new Measurement(
            double.Parse(f[1], CultureInfo.InvariantCulture),
            double.Parse(f[2], CultureInfo.InvariantCulture),
            long.Parse(f[3], CultureInfo.InvariantCulture),
            int.Parse(f[4], CultureInfo.InvariantCulture),
            long.Parse(f[5], CultureInfo.InvariantCulture),
            long.Parse(f[6], CultureInfo.InvariantCulture),
            long.Parse(f[7], CultureInfo.InvariantCulture));
    }

    private static TimeSpan ThreadCpu() => ThreadCpuClock.Now();

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    private static void ResetHighWaterMark()
    {
        if (!ProcessMemory.TryResetPeak())
        {
            AnsiConsole.MarkupLine("[yellow]Could not reset VmHWM (/proc/self/clear_refs); peaks accumulate over runs.[/]");
        }
    }

    /// <summary>One timed run; rates are per second of CPU time of the feeding thread (the ranker is single-threaded).</summary>
    private sealed record Measurement(
        double Seconds, double CpuSeconds, long ActivePairs, int HeldClips, long StateBytes, long StartBytes, long HighWaterBytes)
    {
        public double UpdatesPerSecond(int clips, int latents) => (double)clips * latents / CpuSeconds;
    }

    /// <summary>
    /// Deterministic sparse per-clip statistics: clip i draws about <c>active</c> distinct latents from a skewed
    /// distribution (a few popular latents, a long tail, the last 1/16 of the latents never active), μ from an
    /// exponential-like law and c as a multiple of 1/250 (250 frames), with a generator seeded by the clip index.
    /// </summary>
    internal sealed class SyntheticClipStatistics(int latents, int active)
    {
        private readonly int[] _stamp = new int[latents];
        private readonly int _live = latents - (latents / 16);
        private int _epoch;

        public int Fill(int clip, int[] indices, float[] mean, float[] coverage)
        {
            var state = (ulong)clip * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;
            _epoch++;
            var count = active - (int)(Next(ref state) % (ulong)(active / 4 + 1));
            var n = 0;
            while (n < count)
            {
                var u = (Next(ref state) >> 11) * (1.0 / 9007199254740992.0);
                var latent = (int)(_live * u * u);
                if (_stamp[latent] == _epoch)
                {
                    continue;
                }

                _stamp[latent] = _epoch;
                indices[n] = latent;
                var v = (Next(ref state) >> 11) * (1.0 / 9007199254740992.0);
                mean[n] = (float)(-Math.Log(1 - v) * 0.5);
                coverage[n] = (1 + (int)(Next(ref state) % 250)) / 250f;
                n++;
            }

            return n;
        }

        private static ulong Next(ref ulong state)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state * 0x2545F4914F6CDD1DUL;
        }
    }
}
