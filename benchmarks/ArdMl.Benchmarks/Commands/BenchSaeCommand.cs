using System.CommandLine;
using ArdMl.Benchmarks.Sae;
using Spectre.Console;

namespace ArdMl.Benchmarks.Commands;

/// <summary><c>ard-bench sae</c>: Top-K SAE step and encoder throughput against the dense matmul.</summary>
internal static class BenchSaeCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape")
        {
            Description = "Which shapes: small (d=1024, m=8192, k=32), paper (d=4096, m=32768, k=250) or both.",
            DefaultValueFactory = _ => "both",
        };
        shape.AcceptOnlyFromAmong("small", "paper", "both");
        var steps = new Option<int?>("--steps") { Description = "Timed steps per configuration (default 10 / 3)." };
        var dead = new Option<double>("--dead-fraction")
        {
            Description = "Share of latents marked dead for the AuxK-on figure.",
            DefaultValueFactory = _ => 0.10,
        };
        var skipTensor = new Option<bool>("--skip-tensor-step")
        {
            Description = "Do not time the device-generic tensor step on the CPU (slow at the paper's shape).",
        };
        var variants = new Option<bool>("--variants")
        {
            Description = "Time the steps of each variant (topk fused and tensor, batchtopk, matryoshka-batchtopk) side by side instead.",
        };
        var command = new Command("sae", "Benchmark the Top-K SAE trainer and encoder (CPU, float32).") { shape, steps, dead, skipTensor, variants };
        command.SetAction(parse =>
        {
            var shapes = SaeBenchmark.DefaultShapes
                .Select(s => s with
                {
                    Steps = parse.GetValue(steps) ?? s.Steps,
                    DeadFraction = parse.GetValue(dead),
                })
                .Where((_, i) => parse.GetValue(shape) switch { "small" => i == 0, "paper" => i == 1, _ => true })
                .ToList();
            var report = new SynchronousProgress(line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"));
            if (parse.GetValue(variants))
            {
                foreach (var shape in shapes)
                {
                    SaeVariantBenchmark.Run(shape, report);
                }

                return 0;
            }

            var results = new List<SaeBenchmarkResult>();
            foreach (var shape in shapes)
            {
                results.Add(SaeBenchmark.Run(shape, report, !parse.GetValue(skipTensor)));
            }

            var table = new Table().AddColumns(
                "shape", "matmul ms", "step ms (AuxK off)", "ratio", "step ms (AuxK on)", "ratio", "tokens/s (off/on)",
                "encode frames/s", "peak RSS");
            foreach (var r in results)
            {
                table.AddRow(
                    $"d={r.Shape.InputDim} m={r.Shape.LatentCount} k={r.Shape.K} B={r.Shape.BatchSize}",
                    $"{r.MatmulSeconds * 1000:F1}",
                    $"{r.StepSecondsAuxOff * 1000:F1}",
                    $"{r.RatioAuxOff:F2}x",
                    $"{r.StepSecondsAuxOn * 1000:F1} ({r.AuxLatentsPerFrame} aux/frame)",
                    $"{r.RatioAuxOn:F2}x",
                    $"{r.TokensPerSecondAuxOff:F0} / {r.TokensPerSecondAuxOn:F0}",
                    $"{r.EncodeFramesPerSecond:F0}",
                    r.PeakResidentBytes is long p ? $"{p / (1024.0 * 1024 * 1024):F2} GiB" : "n/a");
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
