using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ArdMl.Concepts;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard bench concepts</c>: throughput of the concept ranker (clip-latent updates per second) and peak memory
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
        var command = new Command("concepts", "Concept ranking throughput and peak memory at two corpus sizes.")
        {
            clips, smallClips, latents, active, perSet, skipDense,
        };
        command.SetAction(parse => Run(
            parse.GetValue(clips),
            parse.GetValue(smallClips),
            parse.GetValue(latents),
            parse.GetValue(active),
            parse.GetValue(perSet),
            parse.GetValue(skipDense)));
        return command;
    }

    private static int Run(int clips, int smallClips, int latents, int active, int p, bool skipDense)
    {
        if (clips <= 0 || smallClips <= 0 || latents <= 0 || active <= 0 || active > latents / 2 || p <= 0)
        {
            AnsiConsole.MarkupLine("[red]--clips, --small-clips, --latents and --p must be positive and --active at most latents/2.[/]");
            return 1;
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200;
        }

        AnsiConsole.MarkupLine(
            $"[bold]ard bench concepts[/]: m = {latents:N0} latents, {active:N0} active latents per clip, p = {p}, " +
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

        var runs = new List<(string Name, int Clips, bool Dense, RankingCriterion Criterion)>
        {
            ("sparse μ·c", smallClips, false, RankingCriterion.MeanTimesCoverage),
            ("sparse μ·c", clips, false, RankingCriterion.MeanTimesCoverage),
            ("sparse μ·c, no duplicate-id check", smallClips, false, RankingCriterion.MeanTimesCoverage),
            ("sparse μ·c, no duplicate-id check", clips, false, RankingCriterion.MeanTimesCoverage),
        };
        if (!skipDense)
        {
            runs.Add(("dense μ·c", smallClips, true, RankingCriterion.MeanTimesCoverage));
            runs.Add(("dense μ·c", clips, true, RankingCriterion.MeanTimesCoverage));
        }

        runs.Add(("sparse coverage-only", smallClips, false, RankingCriterion.Coverage));
        runs.Add(("sparse random", smallClips, false, RankingCriterion.Random));

        // Warm-up (not reported): lets the JIT reach optimised code before anything is timed.
        Measure("warm-up", Math.Min(smallClips, 3_000), latents, active, p, dense: false, RankingCriterion.MeanTimesCoverage);
        Measure("warm-up", Math.Min(smallClips, 500), latents, active, p, dense: true, RankingCriterion.MeanTimesCoverage);

        var results = new List<(string Name, int Clips, double UpdatesPerSecond, long HighWater)>();
        foreach (var (name, count, dense, criterion) in runs)
        {
            var result = Measure(name, count, latents, active, p, dense, criterion);
            results.Add((name, count, result.UpdatesPerSecond, result.HighWaterBytes));
            table.AddRow(
                name,
                count.ToString("N0", CultureInfo.InvariantCulture),
                result.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                result.CpuSeconds.ToString("F2", CultureInfo.InvariantCulture),
                result.UpdatesPerSecond.ToString("E3", CultureInfo.InvariantCulture),
                result.ActiveUpdatesPerSecond.ToString("E3", CultureInfo.InvariantCulture),
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
        AnsiConsole.MarkupLine("Generation of the statistics is excluded from the timings; VmHWM is reset before each run (/proc/self/clear_refs).");
        return 0;
    }

    private static (double Seconds, double CpuSeconds, double UpdatesPerSecond, double ActiveUpdatesPerSecond, int HeldClips, long StateBytes, long StartBytes, long HighWaterBytes) Measure(
        string name, int clips, int latents, int active, int p, bool dense, RankingCriterion criterion)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        ResetHighWaterMark();
        var start = ReadStatus("VmRSS");
        var ranker = new ConceptRanker(latents, new ConceptRankerOptions
        {
            ClipsPerSet = p,
            Criterion = criterion,
            RejectDuplicateClipIds = !name.Contains("no duplicate", StringComparison.Ordinal),
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
        AnsiConsole.Progress().Start(context =>
        {
            var task = context.AddTask($"{name}, {clips:N0} clips", maxValue: clips);
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

                if ((i & 1023) == 1023 || i == clips - 1)
                {
                    task.Value = i + 1;
                }
            }
        });
        var ranking = ranker.Complete();
        var highWater = ReadStatus("VmHWM");
        GC.KeepAlive(ranking);
        // Rates per second of CPU time of the feeding thread: the machine may be shared, and the ranker is single-threaded.
        var seconds = cpu.TotalSeconds;
        return (watch.Elapsed.TotalSeconds, seconds, (double)clips * latents / seconds, activePairs / seconds, ranker.HeldClipCount, ranker.StateBytes, start, highWater);
    }

    private static TimeSpan ThreadCpu() => ThreadCpuClock.Now();

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    private static void ResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[yellow]Could not reset VmHWM ({Markup.Escape(exception.Message)}); peaks accumulate over runs.[/]");
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
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>
    /// Deterministic sparse per-clip statistics: clip i draws about <c>active</c> distinct latents from a skewed
    /// distribution (a few popular latents, a long tail, the last 1/16 of the latents never active), μ from an
    /// exponential-like law and c as a multiple of 1/250 (250 frames), with a generator seeded by the clip index.
    /// </summary>
    private sealed class SyntheticClipStatistics(int latents, int active)
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
