using System.CommandLine;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard bench</c>: parent of the per-area benchmarks.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks that print measured ratios side by side.");
        command.Subcommands.Add(BenchSaeCommand.Create());
        return command;
    }
}
