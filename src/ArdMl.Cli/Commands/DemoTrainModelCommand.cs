using System.CommandLine;
using ArdMl.Demo;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard demo train-model --corpus &lt;dir&gt; --out models/demo</c>: trains and exports the demo model.</summary>
internal static class DemoTrainModelCommand
{
    public static Command Create()
    {
        var defaults = new DemoTrainingOptions();
        var corpus = new Option<DirectoryInfo>("--corpus", "-c") { Description = "Corpus folder written by 'ard demo corpus'.", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the ONNX model, its description and training figures (models/demo).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training clips.", DefaultValueFactory = _ => defaults.Epochs };
        var seed = new Option<int>("--seed") { Description = "Seed of weight initialisation and batch order.", DefaultValueFactory = _ => defaults.Seed };
        var positiveWeight = new Option<double>("--positive-weight") { Description = "pos_weight of the binary cross-entropy (above 1 favours recall).", DefaultValueFactory = _ => defaults.PositiveWeight };
        var threads = new Option<int>("--threads") { Description = "CPU threads (results are reproducible for a fixed count).", DefaultValueFactory = _ => defaults.Threads };
        var command = new Command("train-model", "Train the demo sound-event model on a demo corpus with TorchSharp (CPU) and export it to ONNX.")
        {
            corpus,
            output,
            epochs,
            seed,
            threads,
            positiveWeight,
        };
        command.SetAction(parse =>
        {
            var options = new DemoTrainingOptions { Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads), PositiveWeight = parse.GetValue(positiveWeight) };
            DemoTrainingResult? result = null;
            try
            {
                var loaded = DemoCorpus.Load(parse.GetValue(corpus)!.FullName);
                Console.WriteLine($"{loaded.Entries.Count} clips in {loaded.Directory}");
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("training", maxValue: options.Epochs);
                        var progress = new ImmediateProgress<DemoTrainingProgress>(p =>
                        {
                            task.Value = p.Epoch - 1 + (p.Step / (double)p.StepsPerEpoch);
                            task.Description = p.Validation is { } v
                                ? $"epoch {p.Epoch}/{p.Epochs} loss {p.TrainLoss:F3} val acc {v.TopLabelAccuracy:P1}"
                                : $"epoch {p.Epoch}/{p.Epochs} loss {p.TrainLoss:F3}";
                        });
                        result = DemoModelTrainer.Train(loaded, options, progress);
                        task.Value = options.Epochs;
                    });
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            using var model = result!.Model;
            var files = DemoModelPackage.Write(result, parse.GetValue(output)!.FullName);
            var v = result.Validation;
            Console.WriteLine(
                $"trained in {result.Elapsed.TotalSeconds:F1} s on {result.TrainClipCount} clips; validation ({v.ClipCount} clips): " +
                $"top-label accuracy {v.TopLabelAccuracy:P1}, exact label set {v.ExactSetAccuracy:P1}, micro-F1 {v.MicroF1:F3}");
            foreach (var file in files)
            {
                Console.WriteLine($"-> {file}");
            }

            return 0;
        });
        return command;
    }
}
