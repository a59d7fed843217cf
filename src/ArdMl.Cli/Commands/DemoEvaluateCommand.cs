using System.CommandLine;
using ArdMl.Demo;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard demo evaluate [--model f.onnx] [--clips N] [--seed S]</c>: scores an exported demo model on fresh clips.</summary>
internal static class DemoEvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model")
        {
            Description = "The exported demo model.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("models", "demo", DemoModelPackage.ModelFile)),
        };
        var clips = new Option<int>("--clips", "-n") { Description = "Number of generated clips.", DefaultValueFactory = _ => 300 };
        var seed = new Option<int>("--seed") { Description = "Corpus seed (pick one the model was not trained on).", DefaultValueFactory = _ => 987654 };
        var command = new Command("evaluate", "Score an exported demo model with ONNX Runtime on freshly generated demo clips.")
        {
            model,
            clips,
            seed,
        };
        command.SetAction(parse =>
        {
            var count = Math.Max(1, parse.GetValue(clips));
            DemoOnnxEvaluation? evaluation = null;
            try
            {
                AnsiConsole.Progress().Start(context =>
                {
                    var task = context.AddTask("classifying clips", maxValue: count);
                    evaluation = DemoOnnxEvaluator.Evaluate(parse.GetValue(model)!.FullName, parse.GetValue(seed), count, new ImmediateProgress<int>(done => task.Value = done));
                });
            }
            catch (Exception e) when (e is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            Console.WriteLine($"{"clips",-10} {"n",5} {"top label",10} {"exact set",10} {"micro-F1",9}");
            void Row(string name, DemoEvaluation e) =>
                Console.WriteLine($"{name,-10} {e.ClipCount,5} {e.TopLabelAccuracy,10:P1} {e.ExactSetAccuracy,10:P1} {e.MicroF1,9:F3}");
            foreach (var (kind, figures) in evaluation!.ByKind)
            {
                Row(kind.ToString().ToLowerInvariant(), figures);
            }

            Row("all", evaluation.All);
            Console.WriteLine($"chance for the top label: {1.0 / DemoSoundLabels.All.Count:P1}");
            return 0;
        });
        return command;
    }
}
