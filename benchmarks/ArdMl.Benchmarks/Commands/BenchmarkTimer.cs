using System.Diagnostics;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// The timing procedure shared by the <c>ard-bench</c> commands: one warm-up call, then timed runs, each after a full
/// garbage collection; and pinning the process to one core.
/// </summary>
internal static class BenchmarkTimer
{
    /// <summary>Runs <paramref name="action"/> once untimed, then <paramref name="runs"/> times timed.</summary>
    /// <param name="runs">Timed runs (at least 1).</param>
    /// <param name="action">The work; its result is kept alive so that it cannot be optimised away.</param>
    public static RunTimes Measure(int runs, Func<object?> action)
    {
        GC.KeepAlive(action());
        var times = new double[runs];
        var cpu = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            GC.KeepAlive(action());
            times[i] = watch.Elapsed.TotalSeconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        }

        Array.Sort(times);
        Array.Sort(cpu);
        return new RunTimes(times[runs / 2], times[0], Math.Max(cpu[runs / 2], 1e-6));
    }

    /// <summary>Restricts the process to the first core (Linux and Windows); says so on stderr when that fails.</summary>
    public static void PinToOneCore()
    {
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            {
                using var process = Process.GetCurrentProcess();
                process.ProcessorAffinity = 1;
            }
        }
        catch (Exception e) when (e is PlatformNotSupportedException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"Could not pin the process to one core ({e.Message}).");
        }
    }
}

/// <summary>Seconds of a measurement: wall-clock median and fastest run, and the median CPU time of the process.</summary>
internal readonly record struct RunTimes(double Median, double Fastest, double Cpu);
