using System.CommandLine;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard bench &lt;area&gt;</c>: the parent of every area's benchmark.</summary>
internal static class BenchCommand
{
    public static Command Create(params Command[] areas)
    {
        var bench = new Command("bench", "Measure an area's performance; prints figures measured side by side in one run.");
        foreach (var area in areas)
        {
            bench.Subcommands.Add(area);
        }

        return bench;
    }
}
