using System.CommandLine;
using ArdMl.Demo;
using ArdMl.Pipeline;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard demo run [--out dir] [--clips N]</c>: generates the demo corpus, discovers concepts in the committed demo model
/// (models/demo/demo-sound-events.json), benchmarks them against the corpus labels and points at the report.
/// </summary>
internal static class DemoRunCommand
{
    public const int DefaultClips = 600;
    public const string DemoDescription = "models/demo/demo-sound-events.json";

    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the corpus (corpus/) and the run (run/).", DefaultValueFactory = _ => new DirectoryInfo("ard-demo") };
        var clips = new Option<int>("--clips", "-n") { Description = "Demo clips to generate.", DefaultValueFactory = _ => DefaultClips };
        var seed = new Option<int>("--seed") { Description = "Corpus seed.", DefaultValueFactory = _ => DemoCorpusOptions.DefaultSeed };
        var command = new Command("run", $"The whole AR&D demo: generate {DefaultClips} demo clips, discover concepts in the demo model's conv3 layer, benchmark them against the labels.")
        {
            output, clips, seed,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(clips);
            if (count < 20)
            {
                Console.Error.WriteLine($"--clips must be at least 20 (the benchmark needs a held-out split), not {count}.");
                return 2;
            }

            var description = DemoModelPackage.FindAbove(DemoDescription);
            if (description is null)
            {
                Console.Error.WriteLine(
                    $"Cannot find {DemoDescription}: looked above the executable ({AppContext.BaseDirectory}) and the current folder ({Environment.CurrentDirectory}). " +
                    "The build copies it next to the demo assembly (models/demo); rebuild src/ArdMl.Cli, or run from the ArdMl repository.");
                return 1;
            }

            var root = parse.GetValue(output)!.FullName;
            var corpus = Path.Combine(root, "corpus");
            var run = Path.Combine(root, "run");
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask("generating demo corpus", maxValue: count);
                DemoCorpusGenerator.Write(corpus, new DemoCorpusOptions { ClipCount = count, Seed = parse.GetValue(seed) }, new ImmediateProgress<int>(done => task.Value = done));
                task.Value = count;
            });
            var labels = Path.Combine(corpus, DemoCorpusGenerator.LabelsFile);
            Console.WriteLine($"Demo corpus: {count} clips in {corpus} (captions.csv, labels.csv); model {description}.");
            var result = DiscoverCommand.Run(new DiscoveryOptions
            {
                ModelDescriptionPath = description,
                AudioDirectory = Path.Combine(corpus, DemoCorpusGenerator.ClipsFolder),
                OutputDirectory = run,
                CaptionsPath = Path.Combine(corpus, DemoCorpusGenerator.CaptionsFile),
                LabelsPath = labels,
            });
            if (result is null)
            {
                return 1;
            }

            if (EvalCommand.Run(run, labels) is null)
            {
                return 1;
            }

            var reportRoot = new RootCommand { ReportCommand.Create() };
            return reportRoot.Parse(["report", "--run", run]).Invoke();
        });
        return command;
    }

}
