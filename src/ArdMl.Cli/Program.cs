using System.CommandLine;
using ArdMl.Cli.Commands;
using Spectre.Console;

// Piped or redirected output has no terminal width; keep result tables whole in logs instead of folding them to 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 240;
}

var root = new RootCommand("ard: find, name and steer the concepts inside audio models (AR&D).");
foreach (var command in CommandRegistry.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
