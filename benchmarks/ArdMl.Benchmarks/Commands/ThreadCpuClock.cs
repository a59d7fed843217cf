using System.Runtime.InteropServices;

namespace ArdMl.Benchmarks.Commands;

/// <summary>CPU time consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID; elsewhere the process's CPU time).</summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var time) == 0)
        {
            return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
        }

        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    }

    // DllImport rather than LibraryImport: the signature is blittable and the CLI project does not allow unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
