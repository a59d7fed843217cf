using System.CommandLine;
using ArdMl.Cli.Commands;

var root = new RootCommand("ard: find, name and steer the concepts inside audio models (AR&D).");
foreach (var command in CommandRegistry.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
