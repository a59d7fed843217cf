using System.CommandLine;
using ArdMl.Audio;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench mlnet</c>: the cost of running a stage inside ML.NET. LoadAudio through an IDataView cursor and
/// through a PredictionEngine, each measured side by side with the same AudioLoader calls made directly, on
/// generated clips (8 kHz 16-bit mono WAV, like FSDD), one core.
/// </summary>
internal static class BenchMlNetCommand
{
    private const double TargetCursorRatio = 1.10;
    private const int ClipRate = 8000;

    public static Command Create()
    {
        var clips = new Option<int>("--clips") { Description = "Number of generated one-second clips.", DefaultValueFactory = _ => 400 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per measurement (the median is reported).", DefaultValueFactory = _ => 7 };
        var command = new Command("mlnet", "Overhead of ML.NET hosting (IDataView cursor, PredictionEngine) over direct calls, for LoadAudio.")
        {
            clips,
            runs,
        };
        command.SetAction(parse => Run(Math.Max(1, parse.GetValue(clips)), Math.Max(1, parse.GetValue(runs))));
        return command;
    }

    private static int Run(int clipCount, int runs)
    {
        BenchmarkTimer.PinToOneCore();
        var folder = Directory.CreateTempSubdirectory("ard-bench-mlnet-").FullName;
        try
        {
            var paths = Enumerable.Range(0, clipCount).Select(i => WriteClip(folder, i)).ToArray();
            var bytes = paths.Select(File.ReadAllBytes).ToArray();
            var ml = new MLContext(seed: 1);
            var pathView = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }));
            var bytesView = ml.Data.LoadFromEnumerable(bytes.Select(b => new BytesRow { Audio = b }));
            var fromPaths = ml.Transforms.Ard().LoadAudio().Fit(pathView);
            var fromBytes = ml.Transforms.Ard().LoadAudio("Samples", "Audio").Fit(bytesView);
            using var engine = ml.Model.CreatePredictionEngine<PathRow, SamplesRow>(fromPaths);

            Console.WriteLine($"ard-bench mlnet: LoadAudio to 16 kHz, {clipCount} one-second 8 kHz WAV clips, one core, median of {runs} runs after a warm-up.");
            Console.WriteLine($"{"measurement",-58} {"ms",9} {"ratio to direct",16}");
            var directBytes = BenchmarkTimer.Measure(runs, () => bytes.Select((b, i) => AudioLoader.LoadMono(b, paths[i]).Length).Sum()).Median;
            var cursorBytes = BenchmarkTimer.Measure(runs, () => ReadAll(fromBytes.Transform(bytesView))).Median;
            var directPaths = BenchmarkTimer.Measure(runs, () => paths.Sum(p => AudioLoader.LoadMono(p).Length)).Median;
            var cursorPaths = BenchmarkTimer.Measure(runs, () => ReadAll(fromPaths.Transform(pathView))).Median;
            var engineRuns = BenchmarkTimer.Measure(runs, () => paths.Sum(p => engine.Predict(new PathRow { Path = p }).SampleCount)).Median;
            Report("direct: AudioLoader.LoadMono(bytes) per clip", directBytes, directBytes);
            Report("IDataView cursor: LoadAudio over a bytes column", cursorBytes, directBytes);
            Report("direct: AudioLoader.LoadMono(path) per clip", directPaths, directPaths);
            Report("IDataView cursor: LoadAudio over a path column", cursorPaths, directPaths);
            Report("PredictionEngine<PathRow, SamplesRow>.Predict per clip", engineRuns, directPaths);

            var worst = Math.Max(cursorBytes / directBytes, cursorPaths / directPaths);
            var met = worst <= TargetCursorRatio;
            Console.WriteLine(met
                ? $"Target met: the IDataView cursor costs at most {TargetCursorRatio:F2}x the direct calls (worst {worst:F3}x)."
                : $"Target NOT met: the IDataView cursor must cost at most {TargetCursorRatio:F2}x the direct calls (worst {worst:F3}x).");
            return met ? 0 : 3;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long ReadAll(IDataView view)
    {
        var samples = view.Schema["Samples"];
        var count = view.Schema["SampleCount"];
        using var cursor = view.GetRowCursor([samples, count]);
        var samplesGetter = cursor.GetGetter<VBuffer<float>>(samples);
        var countGetter = cursor.GetGetter<int>(count);
        var buffer = default(VBuffer<float>);
        var length = 0;
        long total = 0;
        while (cursor.MoveNext())
        {
            samplesGetter(ref buffer);
            countGetter(ref length);
            total += buffer.Length + length;
        }

        return total;
    }

    private static string WriteClip(string folder, int index)
    {
        // A deterministic spoken-digit-like clip: a gliding voiced tone with harmonics under a syllable envelope.
        var samples = new float[ClipRate];
        var pitch = 100 + (index % 13 * 9);
        for (var n = 0; n < samples.Length; n++)
        {
            var t = n / (double)ClipRate;
            var envelope = Math.Sin(Math.PI * t) * Math.Sin(Math.PI * t);
            var f = pitch * (1 + (0.2 * t));
            var value = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                value += Math.Sin(2 * Math.PI * f * h * t) / h;
            }

            samples[n] = (float)(0.3 * envelope * value);
        }

        var path = Path.Combine(folder, $"clip_{index:D4}.wav");
        WavWriter.Write(path, samples, ClipRate, 1, WavSampleFormat.Pcm16);
        return path;
    }

    private static void Report(string name, double seconds, double directSeconds) =>
        Console.WriteLine($"{name,-58} {seconds * 1000,9:F1} {seconds / directSeconds,15:F3}x");

    private sealed class PathRow
    {
        public string Path { get; set; } = string.Empty;
    }

    private sealed class BytesRow
    {
        [VectorType]
        public byte[] Audio { get; set; } = [];
    }

    private sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];

        public int SampleCount { get; set; }
    }
}
