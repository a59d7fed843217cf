using System.Diagnostics;

namespace ArdMl.Tests.Infrastructure;

/// <summary>Runs the built <c>ard</c> CLI (ard.dll beside the tests) as a child process, as a user would, with stdout piped.</summary>
public static class ArdProcess
{
    /// <summary>Runs <c>ard</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> (default: the current one).</summary>
    public static ArdOutcome Run(string? workingDirectory, params string[] arguments) => Run(workingDirectory, null, arguments);

    /// <summary>Runs <c>ard</c> as <see cref="Run(string?, string[])"/> does, with <paramref name="environment"/> added to its environment.</summary>
    public static ArdOutcome Run(string? workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var ard = Path.Combine(AppContext.BaseDirectory, "ard.dll");
        var start = new ProcessStartInfo("dotnet", [ard, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ArdOutcome(process.ExitCode, output, error.Result);
    }
}

/// <summary>What one <c>ard</c> run printed and returned.</summary>
/// <param name="ExitCode">The exit status.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record ArdOutcome(int ExitCode, string Output, string Error)
{
    /// <summary>Standard output and standard error together.</summary>
    public string All => Output + Error;
}
