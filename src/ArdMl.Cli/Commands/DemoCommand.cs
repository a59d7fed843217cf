using System.CommandLine;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard demo &lt;corpus|train-model|evaluate|run&gt;</c>: the embedded demo corpus and the demo model it trains.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Generate the demo corpus and rebuild the demo sound-event model (no network, no external files).");
        command.Subcommands.Add(DemoCorpusCommand.Create());
        command.Subcommands.Add(DemoTrainModelCommand.Create());
        command.Subcommands.Add(DemoEvaluateCommand.Create());
        command.Subcommands.Add(DemoRunCommand.Create());
        return command;
    }
}
