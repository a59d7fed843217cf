using ArdMl.Sae;
using BenchmarkDotNet.Attributes;

namespace ArdMl.Benchmarks.Stages;

/// <summary>
/// One Top-K SAE training step (the fused CPU step, AuxK off and on with 10 % of latents dead) against the step's own
/// dense encoder matmul ([B, d] × [d, m]) as the baseline: the ratio is BenchmarkDotNet's, of means taken one case after
/// another (<c>ard-bench sae</c> pairs each step with the matmul timed just before it instead).
/// </summary>
public unsafe class SaeStepBenchmarks
{
    private TopKSparseAutoencoder? _sae;
    private FusedTrainingStep? _step;
    private int[] _dead = [];
    private long _adamStep = 1;

    /// <summary>The shape: <c>tiny</c> (d = 256, m = 2048, k = 16, B = 1024) or <c>small</c> (the d = 1024, m = 8192, k = 32, B = 4096).</summary>
    [Params("tiny", "small")]
    public string Shape { get; set; } = "tiny";

    [GlobalSetup]
    public void Setup()
    {
        var (d, m, k, batch) = Shape switch
        {
            "tiny" => (256, 2048, 16, 1024),
            "small" => (1024, 8192, 32, 4096),
            _ => throw new InvalidOperationException($"Unknown shape '{Shape}' (tiny or small)."),
        };
        var random = new DeterministicRandom(12345);
        var frames = new float[(long)batch * d];
        for (long i = 0; i < frames.LongLength; i++)
        {
            frames[i] = (float)random.NextGaussian();
        }

        _sae = new TopKSparseAutoencoder(d, m, k);
        _sae.InitializeTied(1);
        _dead = [.. Enumerable.Range(0, m / 10).Select(i => (int)((long)i * m / (m / 10)))];
        _step = new FusedTrainingStep(_sae, batch, d / 2, 1f / 32, new AdamSettings(0.9f, 0.999f, 1e-8f));
        frames.AsSpan().CopyTo(new Span<float>(_step.InputPointer, frames.Length));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _step?.Dispose();
        _sae?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "encoder matmul")]
    public void EncoderMatmul() => _step!.EncoderMatmulOnly();

    [Benchmark(Description = "step, AuxK off")]
    public void StepAuxKOff() => _step!.Run(_adamStep++, 1e-4f, []);

    [Benchmark(Description = "step, AuxK on (10 % dead)")]
    public void StepAuxKOn() => _step!.Run(_adamStep++, 1e-4f, _dead);
}
