using System.CommandLine;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard bench &lt;area&gt;</c>: the parent of every area's benchmark subcommand.</summary>
internal static class BenchCommand
{
    public static Command Create(params Command[] areas)
    {
        var command = new Command("bench", "Measure an area's performance targets (ratios measured side by side in one run).");
        foreach (var area in areas)
        {
            command.Subcommands.Add(area);
        }

        return command;
    }
}
