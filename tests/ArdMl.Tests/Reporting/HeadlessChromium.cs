using System.Diagnostics;

namespace ArdMl.Tests.Reporting;

/// <summary>Runs Debian's <c>chromium</c> headless on a local page (no network, throw-away profile).</summary>
internal static class HeadlessChromium
{
    public const string MissingMessage =
        "chromium is not installed (Debian: apt-get install chromium; or set ARDML_CHROMIUM to a Chromium/Chrome executable): the browser test is skipped.";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The browser executable: $ARDML_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; null if none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("ARDML_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
        {
            foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Loads <paramref name="url"/>, lets up to <paramref name="virtualTimeMilliseconds"/> of virtual time pass (the
    /// page's scripts and media loading run meanwhile) and returns the serialized DOM.
    /// </summary>
    public static string DumpDom(string executable, string url, int virtualTimeMilliseconds = 15000) =>
        Run(executable, [$"--virtual-time-budget={virtualTimeMilliseconds}", "--dump-dom", url]);

    /// <summary>Writes a PNG screenshot of <paramref name="url"/> at the given window size.</summary>
    public static void Screenshot(string executable, string url, string pngPath, int width, int height) =>
        Run(executable, ["--hide-scrollbars", "--virtual-time-budget=5000", $"--screenshot={pngPath}", $"--window-size={width},{height}", url]);

    private static string Run(string executable, IEnumerable<string> arguments)
    {
        var profile = Path.Combine(Path.GetTempPath(), "ardml-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio", $"--user-data-dir={profile}",
            }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{executable}'.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{executable}' did not finish within {Timeout.TotalSeconds} s.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{executable}' exited with code {process.ExitCode}: {Tail(stderr.Result)}");
            }

            return stdout.Result;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file of the throw-away profile for a moment; the temp folder is cleaned later.
            }
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
