using System.CommandLine;
using ArdMl.Demo;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard demo corpus --out &lt;dir&gt; [--clips N] [--seed S]</c>: writes the deterministic demo corpus.</summary>
internal static class DemoCorpusCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Corpus folder to write (clips/, captions.csv, labels.csv).", Required = true };
        var clips = new Option<int>("--clips", "-n")
        {
            Description = "Number of clips.",
            DefaultValueFactory = _ => DemoCorpusOptions.DefaultClipCount,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed; the same seed gives byte-identical files.",
            DefaultValueFactory = _ => DemoCorpusOptions.DefaultSeed,
        };
        var command = new Command("corpus", "Generate the labelled, captioned demo corpus of synthetic sound events (16 kHz mono WAV).")
        {
            output,
            clips,
            seed,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(clips);
            if (count < 1)
            {
                Console.Error.WriteLine($"--clips must be at least 1, not {count}.");
                return 2;
            }

            var options = new DemoCorpusOptions { ClipCount = count, Seed = parse.GetValue(seed) };
            var directory = parse.GetValue(output)!.FullName;
            DemoCorpusSummary? summary = null;
            try
            {
                AnsiConsole.Progress().Start(context =>
                {
                    var task = context.AddTask("generating clips", maxValue: count);
                    summary = DemoCorpusGenerator.Write(directory, options, new ImmediateProgress<int>(done => task.Value = done));
                    task.Value = count;
                });
            }
            catch (IOException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            Console.WriteLine($"{summary!.ClipCount} clips, {summary.TotalSeconds / 60:F1} min of audio -> {summary.Directory}");
            Console.WriteLine(string.Join(", ", summary.LabelCounts.Select(p => $"{p.Key}: {p.Value}")));
            return 0;
        });
        return command;
    }
}
