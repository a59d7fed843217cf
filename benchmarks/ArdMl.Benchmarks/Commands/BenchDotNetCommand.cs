using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench bdn [BenchmarkDotNet arguments]</c>: the BenchmarkDotNet benchmarks of this assembly (each case in its own
/// process, against its [Baseline]); every argument goes to BenchmarkDotNet, e.g. <c>--filter *Decode*</c> or <c>--list flat</c>.
/// </summary>
internal static class BenchDotNetCommand
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    public static Command Create()
    {
        var command = new Command(
            "bdn",
            "Run the BenchmarkDotNet micro and stage benchmarks (SAE step vs matmul, decode + resample, concept ranking); " +
            "arguments go to BenchmarkDotNet, e.g. --filter '*Decode*', --list flat, --job short, --inProcess. Needs a Release build.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse =>
        {
            // BenchmarkDotNet builds a copy of this project (and so of the whole library) for its processes: on a loaded
            // 2-core machine that takes longer than its default two minutes.
            var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(BuildTimeout);
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchDotNetCommand).Assembly).Run([.. parse.UnmatchedTokens], config);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        });
        return command;
    }
}
