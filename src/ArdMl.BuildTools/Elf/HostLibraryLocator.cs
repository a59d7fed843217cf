using System.Diagnostics;

namespace ArdMl.BuildTools.Elf;

/// <summary>
/// Finds the shared library the dynamic loader of this host would use for a soname: the directories of
/// <c>LD_LIBRARY_PATH</c>, then the loader cache (<c>ldconfig -p</c>), then the standard library directories.
/// Only a 64-bit little-endian ELF file of the requested machine counts as a match.
/// </summary>
public static class HostLibraryLocator
{
    private static readonly string[] StandardDirectories =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
    ];

    private static readonly string[] LdconfigCandidates = ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"];

    /// <summary>The path of <paramref name="soname"/> as the loader would find it, or null when none matches.</summary>
    public static string? Find(string soname, ushort machine)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, soname));
        var fromStandardDirectories = StandardDirectories.Select(directory => Path.Combine(directory, soname));
        return fromEnvironment.Concat(LoaderCacheEntries(soname)).Concat(fromStandardDirectories)
            .FirstOrDefault(path => IsElf64OfMachine(path, machine));
    }

    private static IEnumerable<string> LoaderCacheEntries(string soname)
    {
        // Lines look like: "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
        foreach (var line in RunLdconfig())
        {
            var trimmed = line.Trim();
            var arrow = trimmed.IndexOf(" => ", StringComparison.Ordinal);
            var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            if (arrow > 0 && space > 0 && trimmed[..space] == soname)
            {
                yield return trimmed[(arrow + 4)..].Trim();
            }
        }
    }

    private static IReadOnlyList<string> RunLdconfig()
    {
        foreach (var candidate in LdconfigCandidates)
        {
            if (candidate.Contains('/', StringComparison.Ordinal) && !File.Exists(candidate))
            {
                continue;
            }

            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, "-p")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                });
                if (process is null)
                {
                    continue;
                }

                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return output.Split('\n');
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name: try the next one.
            }
        }

        return [];
    }

    private static bool IsElf64OfMachine(string path, ushort machine)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var stream = File.OpenRead(path);
            Span<byte> header = stackalloc byte[20];
            return stream.Read(header) == header.Length
                && header[0] == 0x7f && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F'
                && header[4] == 2 && header[5] == 1
                && (header[18] | (header[19] << 8)) == machine;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
