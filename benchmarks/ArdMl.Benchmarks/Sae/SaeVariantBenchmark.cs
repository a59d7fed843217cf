using System.Diagnostics;
using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Benchmarks.Sae;

/// <summary>Median training-step seconds of each SAE variant on the same data, measured side by side in one process.</summary>
/// <param name="Shape">The shape measured (AuxK on with <see cref="SaeBenchmarkShape.DeadFraction"/> of latents dead).</param>
/// <param name="TopKFusedSeconds">Top-K, fused CPU step (the default CPU path).</param>
/// <param name="TopKTensorSeconds">Top-K, tensor step on the CPU.</param>
/// <param name="BatchTopKSeconds">BatchTopK step on the CPU.</param>
/// <param name="MatryoshkaSeconds">Matryoshka BatchTopK step (prefixes m/16 … m) on the CPU.</param>
public sealed record SaeVariantBenchmarkResult(
    SaeBenchmarkShape Shape, double TopKFusedSeconds, double TopKTensorSeconds, double BatchTopKSeconds, double MatryoshkaSeconds);

/// <summary>
/// Times one training step of each <see cref="SaeVariant"/> against Top-K on the same seeded Gaussian batch (used by
/// <c>ard-bench sae --variants</c>). The steps are timed in turn, round after round, so load from other processes hits
/// all alike; each figure is the median over <see cref="SaeBenchmarkShape.Steps"/> rounds after one warm-up round.
/// </summary>
public static class SaeVariantBenchmark
{
    /// <summary>Runs <paramref name="shape"/>; <paramref name="progress"/> receives one line with the figures.</summary>
    public static SaeVariantBenchmarkResult Run(SaeBenchmarkShape shape, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int d = shape.InputDim;
        int m = shape.LatentCount;
        int batch = shape.BatchSize;
        var random = new DeterministicRandom(12345);
        var frames = new float[(long)batch * d];
        for (long i = 0; i < frames.LongLength; i++)
        {
            frames[i] = (float)random.NextGaussian();
        }

        int auxK = d / 2;
        int deadCount = (int)Math.Round(m * shape.DeadFraction);
        var dead = Enumerable.Range(0, deadCount).Select(i => (int)((long)i * m / Math.Max(1, deadCount))).ToArray();
        var adam = new AdamSettings(0.9f, 0.999f, 1e-8f);
        var prefixes = new SparseAutoencoderTrainerOptions { LatentCount = m, Variant = SaeVariant.MatryoshkaBatchTopK }.EffectivePrefixSizes;

        // One SAE per step, so that no step trains weights another one reads.
        var saes = Enumerable.Range(0, 4).Select(_ => new TopKSparseAutoencoder(d, m, shape.K)).ToArray();
        var steps = new ISaeTrainingStep[]
        {
            new FusedTrainingStep(saes[0], batch, auxK, 1f / 32, adam),
            new TensorTrainingStep(saes[1], batch, auxK, 1f / 32, adam),
            new BatchTopKTrainingStep(saes[2], batch, [m], 0.01f, auxK, 1f / 32, adam),
            new BatchTopKTrainingStep(saes[3], batch, prefixes, 0.01f, auxK, 1f / 32, adam),
        };
        var times = steps.Select(_ => new List<double>()).ToArray();
        try
        {
            using (var input = tensor(frames, [batch, d]))
            {
                for (int s = 0; s < steps.Length; s++)
                {
                    saes[s].InitializeTied(1);
                    steps[s].LoadParametersFromModel();
                    steps[s].Input.copy_(input);
                }
            }

            for (int round = 0; round <= shape.Steps; round++)
            {
                for (int s = 0; s < steps.Length; s++)
                {
                    var clock = Stopwatch.StartNew();
                    steps[s].Run(round + 1, 1e-4f, dead);
                    if (round > 0)
                    {
                        times[s].Add(clock.Elapsed.TotalSeconds);
                    }
                }
            }
        }
        finally
        {
            foreach (var step in steps)
            {
                step.Dispose();
            }

            foreach (var sae in saes)
            {
                sae.Dispose();
            }
        }

        var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
        var result = new SaeVariantBenchmarkResult(shape, medians[0], medians[1], medians[2], medians[3]);
        progress?.Report(
            $"d={d} m={m} k={shape.K} B={batch}, AuxK on ({deadCount} dead): step ms: topk fused {medians[0] * 1000:F1}, topk tensor {medians[1] * 1000:F1}, " +
            $"batchtopk {medians[2] * 1000:F1} ({medians[2] / medians[0]:F2}x fused), matryoshka-batchtopk {medians[3] * 1000:F1} ({medians[3] / medians[0]:F2}x fused)");
        return result;
    }
}
