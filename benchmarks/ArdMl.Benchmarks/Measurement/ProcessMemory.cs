namespace ArdMl.Benchmarks.Measurement;

/// <summary>Process memory figures from <c>/proc/self/status</c> (Linux); null elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes, or null when the platform does not report it.</summary>
    public static long? PeakResidentBytes() => ReadStatusKilobytes("VmHWM:") * 1024;

    /// <summary>Current resident set size (VmRSS) in bytes, or null when the platform does not report it.</summary>
    public static long? CurrentResidentBytes() => ReadStatusKilobytes("VmRSS:") * 1024;

    /// <summary>
    /// Resets the kernel's peak-RSS mark to the current RSS (writes 5 to <c>/proc/self/clear_refs</c>), so a later
    /// <see cref="PeakResidentBytes"/> measures one phase. Returns false when that is not possible.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long? ReadStatusKilobytes(string key)
    {
        const string StatusPath = "/proc/self/status";
        if (!File.Exists(StatusPath))
        {
            return null;
        }

        foreach (var line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.TryParse(parts[0], out var kb) ? kb : null;
            }
        }

        return null;
    }
}
