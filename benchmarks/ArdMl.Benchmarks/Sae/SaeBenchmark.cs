using System.Diagnostics;
using ArdMl.Benchmarks.Measurement;
using ArdMl.Sae;

namespace ArdMl.Benchmarks.Sae;

/// <summary>One benchmark shape.</summary>
/// <param name="InputDim">Activation width d.</param>
/// <param name="LatentCount">Latents m.</param>
/// <param name="K">Active latents per frame.</param>
/// <param name="BatchSize">Frames per step.</param>
/// <param name="Steps">Timed training steps per configuration.</param>
/// <param name="DeadFraction">Share of latents marked dead for the AuxK-on measurement.</param>
public sealed record SaeBenchmarkShape(int InputDim, int LatentCount, int K, int BatchSize, int Steps, double DeadFraction);

/// <summary>Figures measured for one shape, side by side in one process.</summary>
/// <param name="Shape">The shape measured.</param>
/// <param name="MatmulSeconds">Median time of one dense encoder matmul [B, d] × [d, m].</param>
/// <param name="StepSecondsAuxOff">Median training step time with AuxK off.</param>
/// <param name="StepSecondsAuxOn">Median training step time with AuxK on and <c>DeadFraction</c> of latents dead.</param>
/// <param name="AuxLatentsPerFrame">AuxK latents decoded per frame in the AuxK-on measurement.</param>
/// <param name="EncodeFramesPerSecond">Encoding throughput of <see cref="SparseAutoencoderEncoder"/> (statistics).</param>
/// <param name="PeakResidentBytes">Process peak RSS during this shape (after a peak reset), or null.</param>
public sealed record SaeBenchmarkResult(
    SaeBenchmarkShape Shape, double MatmulSeconds, double StepSecondsAuxOff, double StepSecondsAuxOn,
    int AuxLatentsPerFrame, double EncodeFramesPerSecond, long? PeakResidentBytes)
{
    /// <summary>
    /// Median step time of the device-generic tensor step on the CPU with AuxK on (the step used on CUDA); NaN when
    /// not measured.
    /// </summary>
    public double TensorStepSecondsAuxOn { get; init; } = double.NaN;

    /// <summary>
    /// Step time / matmul time with AuxK off: the median over iterations of the ratio of the step to the matmul timed
    /// just before it (pairs adjacent timings, so load that drifts during the run cancels).
    /// </summary>
    public double RatioAuxOff { get; init; }

    /// <summary>Step time / matmul time with AuxK on, paired like <see cref="RatioAuxOff"/>.</summary>
    public double RatioAuxOn { get; init; }

    /// <summary>Training tokens per second with AuxK off.</summary>
    public double TokensPerSecondAuxOff => Shape.BatchSize / StepSecondsAuxOff;

    /// <summary>Training tokens per second with AuxK on.</summary>
    public double TokensPerSecondAuxOn => Shape.BatchSize / StepSecondsAuxOn;
}

/// <summary>
/// Measures the Top-K SAE engine against the dense encoder matmul of the same shape, in one process (used by
/// <c>ard-bench sae</c>). Data are synthetic (seeded Gaussian frames).
/// </summary>
public static class SaeBenchmark
{
    /// <summary>The shapes of the issue: d=1024, m=8192, k=32 and the paper's d=4096, m=32768, k=250, batch 4096.</summary>
    public static IReadOnlyList<SaeBenchmarkShape> DefaultShapes { get; } =
    [
        new SaeBenchmarkShape(1024, 8192, 32, 4096, 10, 0.10),
        new SaeBenchmarkShape(4096, 32768, 250, 4096, 3, 0.10),
    ];

    /// <summary>
    /// Runs one shape; <paramref name="progress"/> receives one line per phase. <paramref name="includeTensorStep"/>
    /// also times the (much slower on CPU) device-generic tensor step.
    /// </summary>
    public static unsafe SaeBenchmarkResult Run(SaeBenchmarkShape shape, IProgress<string>? progress = null, bool includeTensorStep = true)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ProcessMemory.TryResetPeak();
        int d = shape.InputDim;
        int m = shape.LatentCount;
        int batch = shape.BatchSize;
        var random = new DeterministicRandom(12345);
        var frames = new float[(long)batch * d];
        for (long i = 0; i < frames.LongLength; i++)
        {
            frames[i] = (float)random.NextGaussian();
        }

        using var sae = new TopKSparseAutoencoder(d, m, shape.K);
        sae.InitializeTied(1);

        int auxK = d / 2;
        int deadCount = (int)Math.Round(m * shape.DeadFraction);
        var dead = new int[deadCount];
        for (int i = 0; i < deadCount; i++)
        {
            dead[i] = (int)((long)i * m / Math.Max(1, deadCount));
        }

        // The matmul is the step's own encoder matmul (same buffers). Matmul, AuxK-off and AuxK-on steps are timed in turn, so that load from other processes hits all three alike.
        var matmulTimes = new List<double>();
        var offTimes = new List<double>();
        var onTimes = new List<double>();
        double[] offPhases;
        double[] onPhases;
        using (var step = new FusedTrainingStep(sae, batch, auxK, 1f / 32, new AdamSettings(0.9f, 0.999f, 1e-8f)))
        {
            frames.AsSpan().CopyTo(new Span<float>(step.InputPointer, frames.Length));
            long adamStep = 1;
            step.EncoderMatmulOnly();
            step.Run(adamStep++, 1e-4f, []);
            step.Run(adamStep++, 1e-4f, dead);
            offPhases = new double[step.PhaseSeconds.Length];
            onPhases = new double[step.PhaseSeconds.Length];
            for (int i = 0; i < shape.Steps; i++)
            {
                matmulTimes.Add(Time(step.EncoderMatmulOnly));
                var before = (double[])step.PhaseSeconds.Clone();
                offTimes.Add(Time(() => step.Run(adamStep++, 1e-4f, [])));
                Accumulate(offPhases, step.PhaseSeconds, before);
                before = (double[])step.PhaseSeconds.Clone();
                onTimes.Add(Time(() => step.Run(adamStep++, 1e-4f, dead)));
                Accumulate(onPhases, step.PhaseSeconds, before);
            }
        }

        double matmul = Median(matmulTimes);
        double off = Median(offTimes);
        double on = Median(onTimes);
        double ratioOff = Median(offTimes.Zip(matmulTimes, (step, mm) => step / mm).ToList());
        double ratioOn = Median(onTimes.Zip(matmulTimes, (step, mm) => step / mm).ToList());
        progress?.Report($"d={d} m={m} k={shape.K} B={batch}: matmul {matmul * 1000:F1} ms");
        progress?.Report($"  step, AuxK off: {off * 1000:F1} ms ({ratioOff:F2}x matmul, paired; {off / matmul:F2}x of the medians; {InStepRatio(offPhases):F2}x its own matmul phase); phases ms: {Phases(offPhases, shape.Steps)}");
        progress?.Report($"  step, AuxK on ({deadCount} dead, {Math.Min(auxK, deadCount)} aux latents/frame): {on * 1000:F1} ms ({ratioOn:F2}x matmul, paired; {on / matmul:F2}x of the medians; {InStepRatio(onPhases):F2}x its own matmul phase); phases ms: {Phases(onPhases, shape.Steps)}");

        double encode;
        using (var encoder = new SparseAutoencoderEncoder(sae, 1024))
        {
            encoder.ComputeStatistics(frames);
            encode = batch / Median([Time(() => encoder.ComputeStatistics(frames)), Time(() => encoder.ComputeStatistics(frames)), Time(() => encoder.ComputeStatistics(frames))]);
        }

        progress?.Report($"  encode: {encode:F0} frames/s");
        long? peak = ProcessMemory.PeakResidentBytes();
        var result = new SaeBenchmarkResult(shape, matmul, off, on, Math.Min(auxK, deadCount), encode, peak) { RatioAuxOff = ratioOff, RatioAuxOn = ratioOn };
        if (!includeTensorStep)
        {
            return result;
        }

        // The device-generic tensor step (the one used on CUDA), timed on the CPU with AuxK on, after the peak RSS read.
        var tensorTimes = new List<double>();
        using (var tensorStep = new TensorTrainingStep(sae, batch, auxK, 1f / 32, new AdamSettings(0.9f, 0.999f, 1e-8f)))
        {
            using (var input = TorchSharp.torch.tensor(frames, [batch, d]))
            {
                tensorStep.Input.copy_(input);
            }

            long adamStep = 1;
            tensorStep.Run(adamStep++, 1e-4f, dead);
            for (int i = 0; i < shape.Steps; i++)
            {
                tensorTimes.Add(Time(() => tensorStep.Run(adamStep++, 1e-4f, dead)));
            }
        }

        double tensorOn = Median(tensorTimes);
        progress?.Report($"  tensor step (CPU), AuxK on: {tensorOn * 1000:F1} ms ({tensorOn / on:F2}x the fused step, {tensorOn / matmul:F2}x matmul)");
        return result with { TensorStepSecondsAuxOn = tensorOn };
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> times)
    {
        var sorted = times.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void Accumulate(double[] total, double[] now, double[] before)
    {
        for (int i = 0; i < total.Length; i++)
        {
            total[i] += now[i] - before[i];
        }
    }

    /// <summary>Total step time over the step's own matmul phase: robust to load that changes between measurements.</summary>
    private static double InStepRatio(double[] phases) => phases.Sum() / phases[1];

    private static string Phases(double[] seconds, int steps)
    {
        string[] names = ["prep", "matmul", "topk", "group", "decode", "auxk", "bias", "update"];
        return string.Join(", ", names.Zip(seconds, (n, s) => $"{n} {s * 1000 / steps:F1}"));
    }
}
