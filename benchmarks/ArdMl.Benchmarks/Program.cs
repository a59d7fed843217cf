using ArdMl.Benchmarks.Commands;
using Spectre.Console;

// Piped or redirected output has no terminal width; keep result tables whole in logs instead of folding them to 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 240;
}

return await BenchCommand.Root().Parse(args).InvokeAsync();
