using System.CommandLine;
using System.Diagnostics;
using ArdMl.Activations;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench formats</c>: read throughput of activation shards in each <see cref="ActivationShardFormat"/>
/// against the native one, on generated shards (deterministic values) of the same clips, through
/// <see cref="ActivationShardReader"/> (as <c>ard train</c> and the ML.NET data view read them). The formats are timed
/// in interleaved rounds, so load on the machine affects them alike; sizes on disk and write times are shown too.
/// </summary>
internal static class BenchFormatsCommand
{
    public static Command Create()
    {
        var clips = new Option<int>("--clips") { Description = "Clips per generated folder.", DefaultValueFactory = _ => 1000 };
        var width = new Option<int>("--width") { Description = "Values per frame (d).", DefaultValueFactory = _ => 96 };
        var clipFrames = new Option<int>("--clip-frames") { Description = "Frames per generated clip.", DefaultValueFactory = _ => 200 };
        var runs = new Option<int>("--runs") { Description = "Timed rounds (each reads every format once; medians are reported).", DefaultValueFactory = _ => 5 };
        var command = new Command("formats", "Activation shard read throughput: Arrow (Hugging Face dataset) and Parquet against native shards, float32 and float16.")
        {
            clips, width, clipFrames, runs,
        };
        command.SetAction(parse => Run(
            Math.Max(1, parse.GetValue(clips)) * Math.Max(1, parse.GetValue(clipFrames)), Math.Max(1, parse.GetValue(width)), Math.Max(1, parse.GetValue(clipFrames)), Math.Max(1, parse.GetValue(runs))));
        return command;
    }

    private static int Run(int frames, int width, int clipFrames, int runs)
    {
        var root = Path.Combine(Path.GetTempPath(), "ardml-bench-formats-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine($"ard-bench formats: {frames:N0} frames x d {width} in {frames / clipFrames:N0} clips of {clipFrames} frames; {runs} interleaved rounds after a warm-up; median wall-clock per full read.");
            Console.WriteLine($"{"dtype",-8} {"format",-8} {"files",5} {"MiB on disk",12} {"write ms",9} {"read ms",9} {"Mframes/s",10} {"MiB/s",8} {"vs native",10}");
            foreach (var type in new[] { ActivationShardDataType.Float32, ActivationShardDataType.Float16 })
            {
                var formats = Enum.GetValues<ActivationShardFormat>();
                var writes = new Dictionary<ActivationShardFormat, double>();
                foreach (var format in formats)
                {
                    writes[format] = Write(Path.Combine(root, $"{type}-{format}"), format, type, frames, width, clipFrames);
                }

                var times = formats.ToDictionary(f => f, _ => new List<double>());
                foreach (var format in formats)
                {
                    Read(Path.Combine(root, $"{type}-{format}")); // warm-up: page cache and JIT
                }

                for (var r = 0; r < runs; r++)
                {
                    for (var i = 0; i < formats.Length; i++)
                    {
                        var format = formats[(i + r) % formats.Length]; // rotate the order so no format always goes first
                        GC.Collect();
                        var watch = Stopwatch.StartNew();
                        var read = Read(Path.Combine(root, $"{type}-{format}"));
                        times[format].Add(watch.Elapsed.TotalSeconds);
                        if (read != (long)frames * width)
                        {
                            throw new InvalidOperationException($"{format} read {read} values; expected {(long)frames * width}.");
                        }
                    }
                }

                var native = Median(times[ActivationShardFormat.Native]);
                var logicalMiB = (double)frames * width * (type == ActivationShardDataType.Float16 ? 2 : 4) / (1 << 20);
                foreach (var format in formats)
                {
                    var folder = Path.Combine(root, $"{type}-{format}");
                    var files = Directory.GetFiles(folder).Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".jsonl", StringComparison.Ordinal)).ToList();
                    var size = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length) / (double)(1 << 20);
                    var median = Median(times[format]);
                    Console.WriteLine(
                        $"{type,-8} {format,-8} {files.Count,5} {size,12:F1} {writes[format] * 1000,9:F0} {median * 1000,9:F0} {frames / median / 1e6,10:F2} {logicalMiB / median,8:F0} {native / median,9:F2}x");
                }
            }

            Console.WriteLine("MiB/s counts the activations at their dtype (frames x d x 2 or 4 bytes); 'vs native' is native read time / format read time (above 1: faster than native).");
            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static double Write(string folder, ActivationShardFormat format, ActivationShardDataType type, int frames, int width, int clipFrames)
    {
        var header = new ActivationShardManifest { Width = width, DataType = type, Model = "bench", Tap = "generated", SampleRate = 16000, Producer = "ard-bench formats" };
        var watch = Stopwatch.StartNew();
        using (var writer = ActivationShardWriter.Open(folder, header, format))
        {
            var state = 0x9E3779B9u;
            var clip = 0;
            for (var start = 0; start < frames; start += clipFrames, clip++)
            {
                var tokens = Math.Min(clipFrames, frames - start);
                var data = new float[tokens * width];
                for (var i = 0; i < data.Length; i++)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    data[i] = (float)(((state >> 8) / (double)(1 << 24)) * 4 - 1) * (i % width < width / 4 ? 3f : 0.5f);
                }

                writer.Write($"clip-{clip:D6}", data, tokens);
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static long Read(string folder)
    {
        long values = 0;
        var checksum = 0f;
        foreach (var clip in ActivationShardReader.Open(folder).ReadClips())
        {
            values += clip.Data.Length;
            checksum += clip.Data.Length > 0 ? clip.Data[0] : 0;
        }

        GC.KeepAlive(checksum);
        return values;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
