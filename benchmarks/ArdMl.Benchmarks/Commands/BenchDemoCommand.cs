using System.CommandLine;
using System.Diagnostics;
using ArdMl.Demo;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench demo</c>: demo corpus generation speed (× real time), demo-model inference with ONNX Runtime beside
/// TorchSharp on the same batch of 1 s windows (one thread each), and the training cost per clip and epoch.
/// </summary>
internal static class BenchDemoCommand
{
    public static Command Create()
    {
        var clips = new Option<int>("--clips", "-n") { Description = "Clips generated for the corpus measurement.", DefaultValueFactory = _ => 200 };
        var trainClips = new Option<int>("--train-clips") { Description = "Clips of the small corpus the training step is timed on.", DefaultValueFactory = _ => 150 };
        var runs = new Option<int>("--runs") { Description = "Timed inference runs (the median is reported).", DefaultValueFactory = _ => 7 };
        var command = new Command("demo", "Demo corpus generation speed, demo model inference (ONNX Runtime vs TorchSharp) and training cost.")
        {
            clips,
            trainClips,
            runs,
        };
        command.SetAction(parse => Run(Math.Max(1, parse.GetValue(clips)), Math.Max(10, parse.GetValue(trainClips)), Math.Max(1, parse.GetValue(runs))));
        return command;
    }

    private static int Run(int clipCount, int trainClips, int runs)
    {
        var folder = Directory.CreateTempSubdirectory("ardml-bench-demo-").FullName;
        try
        {
            Console.WriteLine("ard-bench demo: one thread for TorchSharp and ONNX Runtime.");
            var watch = Stopwatch.StartNew();
            var summary = DemoCorpusGenerator.Write(Path.Combine(folder, "corpus"), new DemoCorpusOptions { ClipCount = clipCount, Seed = 1 });
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(
                $"corpus: {clipCount} clips ({summary.TotalSeconds:F0} s of audio) generated and written in {seconds:F2} s: " +
                $"{clipCount / seconds:F0} clips/s, {summary.TotalSeconds / seconds:F0} x real time");

            using var model = DemoSoundEventModel.CreateUntrained();
            var batch = Enumerable.Range(0, 32).Select(i => DemoCorpusGenerator.Generate(2, i).Samples.AsSpan(0, DemoCorpusGenerator.SampleRate).ToArray()).ToList();
            TorchSharp.torch.set_num_threads(1);
            var torchMs = BenchmarkTimer.Measure(runs, () => model.PredictLogits(batch)).Median * 1000;
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            using var session = new InferenceSession(model.ToOnnx(), sessionOptions);
            var input = new DenseTensor<float>(batch.SelectMany(b => b).ToArray(), [batch.Count, DemoCorpusGenerator.SampleRate]);
            var onnxMs = BenchmarkTimer.Measure(runs, () =>
            {
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(DemoSoundEventModel.InputName, input)]);
                return results.Count;
            }).Median * 1000;
            Console.WriteLine($"inference, 32 windows of 1 s: TorchSharp {torchMs:F1} ms ({32000 / torchMs:F0} x real time), " +
                $"ONNX Runtime (own writer's graph) {onnxMs:F1} ms ({32000 / onnxMs:F0} x real time); ONNX Runtime / TorchSharp speed = {torchMs / onnxMs:F2}");

            var corpusFolder = Path.Combine(folder, "train");
            DemoCorpusGenerator.Write(corpusFolder, new DemoCorpusOptions { ClipCount = trainClips, Seed = 3 });
            var corpus = DemoCorpus.Load(corpusFolder);
            var options = new DemoTrainingOptions { Epochs = 2 };
            var result = DemoModelTrainer.Train(corpus, options);
            result.Model.Dispose();
            Console.WriteLine(
                $"training: {trainClips} clips, 2 epochs (features included) in {result.Elapsed.TotalSeconds:F1} s; the default rebuild " +
                "(1000 clips, 30 epochs) scales with clips x epochs after the one-off feature pass");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
