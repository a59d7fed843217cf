using System.CommandLine;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// Every subcommand of <c>ard-bench</c> (the benchmark tool, <c>dotnet benchmarks/ArdMl.Benchmarks/bin/Release/net10.0/ArdMl.Benchmarks.dll</c>):
/// the paired and fresh-process benchmarks, one line each, and <c>bdn</c> for the BenchmarkDotNet benchmarks.
/// </summary>
internal static class BenchCommand
{
    public static IEnumerable<Command> All()
    {
        yield return BenchDecodeCommand.Create();
        yield return BenchMlNetCommand.Create();
        yield return BenchExtractCommand.Create();
        yield return BenchExtractMemoryCommand.Create();
        yield return BenchSaeCommand.Create();
        yield return BenchConceptsCommand.Create();
        yield return BenchDemoCommand.Create();
        yield return BenchKnownAnswerCommand.Create();
        yield return BenchFormatsCommand.Create();
        yield return BenchDotNetCommand.Create();
    }

    /// <summary>The root command of <c>ard-bench</c>.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("ard-bench: ArdMl's performance and quality benchmarks (ratios measured side by side in one run; see BENCHMARKS.md).");
        foreach (var command in All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
