using System.CommandLine;
using BenchmarkDotNet.Running;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench bdn [BenchmarkDotNet arguments]</c>: the BenchmarkDotNet benchmarks of this assembly (each case in its own
/// process, against its [Baseline]); every argument goes to BenchmarkDotNet, e.g. <c>--filter *Decode*</c> or <c>--list flat</c>.
/// </summary>
internal static class BenchDotNetCommand
{
    public static Command Create()
    {
        var command = new Command(
            "bdn",
            "Run the BenchmarkDotNet micro and stage benchmarks (SAE step vs matmul, decode + resample, concept ranking); " +
            "arguments go to BenchmarkDotNet, e.g. --filter '*Decode*', --list flat, --job short. Needs a Release build.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse =>
        {
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchDotNetCommand).Assembly).Run([.. parse.UnmatchedTokens]);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        });
        return command;
    }
}
