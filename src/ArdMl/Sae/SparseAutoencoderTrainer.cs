using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>Progress of a training run.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="TokensSeen">Frames trained on so far.</param>
/// <param name="TokensPerSecond">Recent throughput.</param>
/// <param name="Fvu">Fraction of variance unexplained of the last step.</param>
/// <param name="AuxFvu">AuxK FVU of the last step (0 when AuxK is off or nothing is dead).</param>
/// <param name="DeadFraction">Share of latents dead by the token window.</param>
/// <param name="SkippedFrames">Frames skipped for NaN/Inf.</param>
public sealed record SaeTrainingProgress(
    long Step, long TotalSteps, long TokensSeen, double TokensPerSecond, double Fvu, double AuxFvu, double DeadFraction, long SkippedFrames);

/// <summary>Metrics of a fitted SAE.</summary>
public sealed class SaeTrainingMetrics
{
    /// <summary>Mean FVU over the final window of steps (the last 10% of the run, at least one step).</summary>
    public double FinalFvu { get; init; }

    /// <summary>Mean number of firing latents per frame over the final window (≤ k).</summary>
    public double L0 { get; init; }

    /// <summary>Share of latents that did not fire within the dead-token window at the end.</summary>
    public double DeadFraction { get; init; }

    /// <summary>Dead-token window used.</summary>
    public long DeadTokenWindow { get; init; }

    /// <summary>Lower edges of the log10 feature-density bins (bin width 0.5, from −8 to 0).</summary>
    public double[] DensityHistogramLog10Edges { get; init; } = [];

    /// <summary>Latents per log10 density bin, measured over the final window.</summary>
    public long[] DensityHistogramCounts { get; init; } = [];

    /// <summary>Latents that never fired over the final window (density 0, not in the histogram).</summary>
    public long NeverFiredInWindow { get; init; }

    /// <summary>Steps trained.</summary>
    public long Steps { get; init; }

    /// <summary>Frames trained on.</summary>
    public long Tokens { get; init; }

    /// <summary>Frames skipped for NaN/Inf.</summary>
    public long SkippedFrames { get; init; }

    /// <summary>Learning rate used.</summary>
    public double LearningRate { get; init; }

    /// <summary>Frames per step used.</summary>
    public int BatchSize { get; init; }

    /// <summary>Seed of the initialisation and shuffling.</summary>
    public ulong Seed { get; init; }

    /// <summary>Writes the metrics as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}

/// <summary>A trained SAE and its metrics.</summary>
/// <param name="Autoencoder">The trained model.</param>
/// <param name="Metrics">Fitted metrics.</param>
public sealed record SaeTrainingResult(TopKSparseAutoencoder Autoencoder, SaeTrainingMetrics Metrics);

/// <summary>
/// Trains a <see cref="TopKSparseAutoencoder"/> from a stream of per-clip frame blocks (each <c>float[]</c> holds
/// frames × d values, row-major) through a bounded shuffle buffer, with the recipe of the design notes: tied init,
/// b_dec from the mean or geometric median of a first sample, FVU loss, AuxK against dead latents, gradient parallel to
/// decoder rows removed, Adam, decoder renormalisation. Checkpoints (weights, Adam state, RNG and shuffle state, step,
/// dead-latent counters, the BatchTopK threshold) make a killed run resume to the same final weights as an uninterrupted
/// one. CPU training is deterministic for a given seed and thread count. <see cref="SparseAutoencoderTrainerOptions.Variant"/>
/// picks the sparsity rule; the BatchTopK family trains with <see cref="BatchTopKTrainingStep"/>.
/// </summary>
public sealed class SparseAutoencoderTrainer
{
    private const string CheckpointName = "checkpoint";
    private const string CheckpointNewName = "checkpoint-new";
    private const double HistogramLow = -8;
    private const double HistogramBinWidth = 0.5;
    private readonly SparseAutoencoderTrainerOptions _options;

    /// <summary>Creates a trainer with <paramref name="options"/>.</summary>
    public SparseAutoencoderTrainer(SparseAutoencoderTrainerOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>
    /// Trains on <paramref name="clips"/> (re-enumerated for further epochs and on resume; must yield the same
    /// sequence each time). Throws <see cref="OperationCanceledException"/> on cancellation; with a checkpoint
    /// directory the run can then be resumed.
    /// </summary>
    public unsafe SaeTrainingResult Train(
        IEnumerable<float[]> clips, int inputDim, IProgress<SaeTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clips);
        var o = _options;
        o.Validate(inputDim);
        var device = ResolveDevice();
        int d = inputDim;
        int m = o.LatentCount;
        int batch = o.BatchSize;
        long deadWindow = o.EffectiveDeadTokenWindow;
        int auxK = o.AuxK ? (o.AuxKCount ?? Math.Max(1, d / 2)) : 0;

        var sae = new TopKSparseAutoencoder(d, m, o.K, o.NormalizeDecoder) { Variant = o.Variant, PrefixSizes = o.EffectivePrefixSizes };
        sae.InitializeTied(o.Seed);
        var random = new DeterministicRandom(o.Seed ^ 0x5DEECE66DUL);
        using var buffer = new FrameShuffleBuffer(clips, d, o.EffectiveShuffleBufferFrames, o.InvalidFrames, random);
        var adam = new AdamSettings(o.Beta1, o.Beta2, o.Epsilon);
        var stepDevice = device.type == DeviceType.CPU ? null : device;
        using ISaeTrainingStep step = o.Variant != SaeVariant.TopK
            ? new BatchTopKTrainingStep(sae, batch, o.Variant == SaeVariant.BatchTopK ? [m] : o.EffectivePrefixSizes, o.ThresholdUpdateRate, auxK, o.AuxKCoefficient, adam, stepDevice)
            : device.type != DeviceType.CPU || o.StepKernel == SaeTrainingStepKernel.Tensor
                ? new TensorTrainingStep(sae, batch, auxK, o.AuxKCoefficient, adam, stepDevice)
                : new FusedTrainingStep(sae, batch, auxK, o.AuxKCoefficient, adam);
        var state = new RunState(m) { DeadWindow = deadWindow, DensityWindowStart = DensityWindowStart(o.Steps) };

        bool resumed = o.CheckpointDirectory is not null && o.Resume && TryLoadCheckpoint(o.CheckpointDirectory, d, sae, step, buffer, random, state);
        if (!resumed)
        {
            buffer.Fill();
            InitializeDecoderBias(sae, buffer.Contents, d);
        }

        deadWindow = state.DeadWindow;
        long densityWindowStart = state.DensityWindowStart;

        step.LoadParametersFromModel();
        var deadList = new List<int>(m);
        var clock = Stopwatch.StartNew();
        long clockTokens = 0;
        var batchSpan = new Span<float>(FusedTrainingStep.Pointer(step.Input), batch * d);
        double lastFvu = double.NaN;
        double lastAux = 0;
        while (state.Step < o.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer.NextBatch(batchSpan, batch);
            deadList.Clear();
            if (auxK > 0)
            {
                for (int j = 0; j < m; j++)
                {
                    if (state.TokensSinceFired[j] >= deadWindow)
                    {
                        deadList.Add(j);
                    }
                }
            }

            float lr = (float)(o.EffectiveLearningRate * (o.LearningRateWarmupSteps > 0 ? Math.Min(1.0, (state.Step + 1.0) / o.LearningRateWarmupSteps) : 1.0));
            var figures = step.Run(state.Step + 1, lr, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deadList));
            if (!double.IsFinite(figures.Fvu))
            {
                throw new InvalidOperationException($"Training diverged at step {state.Step + 1} (FVU = {figures.Fvu}); lower the learning rate.");
            }

            var fired = step.FiredCounts;
            bool inWindow = state.Step >= densityWindowStart;
            for (int j = 0; j < m; j++)
            {
                state.TokensSinceFired[j] = fired[j] > 0 ? 0 : state.TokensSinceFired[j] + batch;
                if (inWindow)
                {
                    state.WindowFires[j] += fired[j];
                }
            }

            if (inWindow)
            {
                state.WindowSteps++;
                state.WindowFvuSum += figures.Fvu;
                state.WindowL0Sum += figures.L0;
            }

            state.Step++;
            state.Tokens += batch;
            clockTokens += batch;
            lastFvu = figures.Fvu;
            lastAux = figures.AuxFvu;

            if (progress is not null && (state.Step % o.ProgressInterval == 0 || state.Step == o.Steps))
            {
                double seconds = clock.Elapsed.TotalSeconds;
                progress.Report(new SaeTrainingProgress(
                    state.Step, o.Steps, state.Tokens, seconds > 0 ? clockTokens / seconds : 0, lastFvu, lastAux,
                    DeadFraction(state, deadWindow), buffer.SkippedFrames));
                clock.Restart();
                clockTokens = 0;
            }

            if (o.CheckpointDirectory is not null && (state.Step % o.CheckpointInterval == 0 || state.Step == o.Steps))
            {
                step.StoreParametersToModel();
                SaveCheckpoint(o.CheckpointDirectory, d, sae, step, buffer, random, state);
            }
        }

        step.StoreParametersToModel();
        var metrics = BuildMetrics(state, deadWindow, buffer.SkippedFrames, o.EffectiveLearningRate, batch, o.Seed);
        return new SaeTrainingResult(sae, metrics);
    }

    private Device ResolveDevice()
    {
        if (_options.GpuDeviceId is not int id)
        {
            return CPU;
        }
#if ARD_GPU
        if (cuda.is_available() && id >= 0 && id < cuda.device_count())
        {
            return new Device(DeviceType.CUDA, id);
        }
#endif
        if (!_options.FallbackToCpu)
        {
            throw new NotSupportedException(
                $"GPU device {id} was requested but is not usable here (a CUDA build with ARD_GPU and a visible device is needed); set FallbackToCpu = true to train on the CPU.");
        }

        return CPU;
    }

    private static double DeadFraction(RunState state, long window)
    {
        long dead = 0;
        foreach (var t in state.TokensSinceFired)
        {
            if (t >= window)
            {
                dead++;
            }
        }

        return (double)dead / state.TokensSinceFired.Length;
    }

    private static SaeTrainingMetrics BuildMetrics(RunState state, long deadWindow, long skipped, double lr, int batch, ulong seed)
    {
        int bins = (int)(-HistogramLow / HistogramBinWidth);
        var counts = new long[bins];
        long never = 0;
        double windowTokens = Math.Max(1, state.WindowSteps * (double)batch);
        foreach (var fires in state.WindowFires)
        {
            if (fires == 0)
            {
                never++;
                continue;
            }

            double log = Math.Log10(fires / windowTokens);
            int bin = Math.Clamp((int)Math.Floor((log - HistogramLow) / HistogramBinWidth), 0, bins - 1);
            counts[bin]++;
        }

        return new SaeTrainingMetrics
        {
            FinalFvu = state.WindowSteps > 0 ? state.WindowFvuSum / state.WindowSteps : double.NaN,
            L0 = state.WindowSteps > 0 ? state.WindowL0Sum / state.WindowSteps : double.NaN,
            DeadFraction = DeadFraction(state, deadWindow),
            DeadTokenWindow = deadWindow,
            DensityHistogramLog10Edges = Enumerable.Range(0, bins).Select(i => HistogramLow + (i * HistogramBinWidth)).ToArray(),
            DensityHistogramCounts = counts,
            NeverFiredInWindow = never,
            Steps = state.Step,
            Tokens = state.Tokens,
            SkippedFrames = skipped,
            LearningRate = lr,
            BatchSize = batch,
            Seed = seed,
        };
    }

    private void InitializeDecoderBias(TopKSparseAutoencoder sae, ReadOnlySpan<float> frames, int d)
    {
        if (_options.DecoderBiasInitialization == DecoderBiasInitialization.Zero)
        {
            return;
        }

        int n = Math.Min(frames.Length / d, _options.DecoderBiasSampleFrames);
        var sample = frames[..(n * d)];
        var mean = new double[d];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < d; c++)
            {
                mean[c] += sample[(r * d) + c];
            }
        }

        for (int c = 0; c < d; c++)
        {
            mean[c] /= n;
        }

        var center = mean;
        if (_options.DecoderBiasInitialization == DecoderBiasInitialization.GeometricMedian)
        {
            center = GeometricMedian(sample, n, d, mean);
        }

        using (no_grad())
        using (var t = tensor(center.Select(v => (float)v).ToArray(), [d]))
        {
            sae.DecoderBias.copy_(t);
        }
    }

    /// <summary>
    /// Weiszfeld iterations from the mean; stops when the update is below 1e-6 of the spread or after 100. Rows are
    /// split into a fixed number of chunks whose partial sums are added in chunk order, so the result does not depend
    /// on the thread count.
    /// </summary>
    internal static unsafe double[] GeometricMedian(ReadOnlySpan<float> sample, int n, int d, double[] start)
    {
        const int Chunks = 64;
        var y = (double[])start.Clone();
        var partialSums = new double[Chunks * d];
        var partialWeights = new double[Chunks];
        var partialSpreads = new double[Chunks];
        fixed (float* samplePointer = sample)
        {
            float* rows = samplePointer;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                var center = y;
                Parallel.For(0, Chunks, chunk =>
                {
                    var sums = new Span<double>(partialSums, chunk * d, d);
                    sums.Clear();
                    double weightSum = 0;
                    double spread = 0;
                    for (long r = (long)n * chunk / Chunks; r < (long)n * (chunk + 1) / Chunks; r++)
                    {
                        float* row = rows + (r * d);
                        double dist2 = 0;
                        for (int c = 0; c < d; c++)
                        {
                            double diff = row[c] - center[c];
                            dist2 += diff * diff;
                        }

                        double dist = Math.Sqrt(dist2);
                        spread += dist;
                        double w = 1.0 / Math.Max(dist, 1e-12);
                        weightSum += w;
                        for (int c = 0; c < d; c++)
                        {
                            sums[c] += w * row[c];
                        }
                    }

                    partialWeights[chunk] = weightSum;
                    partialSpreads[chunk] = spread;
                });

                var next = new double[d];
                double totalWeight = 0;
                double totalSpread = 0;
                for (int chunk = 0; chunk < Chunks; chunk++)
                {
                    var sums = new ReadOnlySpan<double>(partialSums, chunk * d, d);
                    for (int c = 0; c < d; c++)
                    {
                        next[c] += sums[c];
                    }

                    totalWeight += partialWeights[chunk];
                    totalSpread += partialSpreads[chunk];
                }

                double move = 0;
                for (int c = 0; c < d; c++)
                {
                    next[c] /= totalWeight;
                    move += (next[c] - y[c]) * (next[c] - y[c]);
                }

                y = next;
                if (Math.Sqrt(move) <= 1e-6 * Math.Max(totalSpread / n, 1e-30))
                {
                    break;
                }
            }
        }

        return y;
    }

    private sealed class RunState(int m)
    {
        public long Step { get; set; }

        public long Tokens { get; set; }

        public long[] TokensSinceFired { get; } = new long[m];

        public long[] WindowFires { get; } = new long[m];

        public long WindowSteps { get; set; }

        public double WindowFvuSum { get; set; }

        public double WindowL0Sum { get; set; }

        /// <summary>Tokens without firing after which a latent counts as dead.</summary>
        public long DeadWindow { get; set; }

        /// <summary>First step (0-based) whose firings count towards the feature-density histogram.</summary>
        public long DensityWindowStart { get; set; }
    }

    private static long DensityWindowStart(long steps) => steps - Math.Max(1, steps / 10);

    private unsafe void SaveCheckpoint(
        string directory, int d, TopKSparseAutoencoder sae, ISaeTrainingStep step, FrameShuffleBuffer buffer, DeterministicRandom random, RunState state)
    {
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, "checkpoint-tmp");
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        Directory.CreateDirectory(temporary);
        int m = sae.LatentCount;
        var bufferContents = buffer.Contents;
        var owned = new List<IDisposable>();
        try
        {
            fixed (float* bufferPointer = bufferContents)
            {
                var tensors = new List<SafeTensorSource>
                {
                    TensorTrainingStep.HostSource("encoder.weight", sae.EncoderWeight, owned),
                    TensorTrainingStep.HostSource("encoder.bias", sae.EncoderBias, owned),
                    TensorTrainingStep.HostSource("W_dec", sae.DecoderWeight, owned),
                    TensorTrainingStep.HostSource("b_dec", sae.DecoderBias, owned),
                };
                step.AddOptimizerState(tensors, owned);
                tensors.Add(ToSource(SafeTensor.FromInt64s("tokens_since_fired", state.TokensSinceFired, m)));
                tensors.Add(ToSource(SafeTensor.FromInt64s("window_fires", state.WindowFires, m)));
                tensors.Add(SafeTensorSource.FromNative("shuffle_buffer", bufferPointer, bufferContents.Length, buffer.Count, d));
                SafeTensorsFile.WriteStreaming(Path.Combine(temporary, "state.safetensors"), tensors);
            }
        }
        finally
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }
        }

        var position = buffer.Position;
        var json = new JsonObject
        {
            ["fingerprint"] = Fingerprint(d),
            ["step"] = state.Step,
            ["steps"] = _options.Steps,
            ["dead_window"] = state.DeadWindow,
            ["density_window_start"] = state.DensityWindowStart,
            ["tokens"] = state.Tokens,
            ["window_steps"] = state.WindowSteps,
            ["window_fvu_sum"] = state.WindowFvuSum,
            ["window_l0_sum"] = state.WindowL0Sum,
            ["rng"] = new JsonArray(random.State.Select(s => (JsonNode)JsonValue.Create(s.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray()),
            ["epoch"] = position.Epoch,
            ["clips_started"] = position.ClipsStarted,
            ["frame_in_clip"] = position.FrameInClip,
            ["frames_this_epoch"] = position.FramesThisEpoch,
            ["skipped_frames"] = position.SkippedFrames,
        };
        if (sae.Threshold is float threshold)
        {
            json["threshold"] = threshold;
        }

        File.WriteAllText(Path.Combine(temporary, "state.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        // Swap in atomically: a kill at any point leaves either the old or the new checkpoint complete.
        string current = Path.Combine(directory, CheckpointName);
        string fresh = Path.Combine(directory, CheckpointNewName);
        if (Directory.Exists(fresh))
        {
            Directory.Delete(fresh, recursive: true);
        }

        Directory.Move(temporary, fresh);
        if (Directory.Exists(current))
        {
            Directory.Delete(current, recursive: true);
        }

        Directory.Move(fresh, current);
    }

    private unsafe bool TryLoadCheckpoint(
        string directory, int d, TopKSparseAutoencoder sae, ISaeTrainingStep step, FrameShuffleBuffer buffer, DeterministicRandom random, RunState state)
    {
        string path = Path.Combine(directory, CheckpointName);
        if (!File.Exists(Path.Combine(path, "state.json")))
        {
            path = Path.Combine(directory, CheckpointNewName);
            if (!File.Exists(Path.Combine(path, "state.json")))
            {
                return false;
            }
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(path, "state.json")))!.AsObject();
        string fingerprint = json["fingerprint"]!.GetValue<string>();
        if (fingerprint != Fingerprint(d))
        {
            throw new InvalidDataException(
                $"The checkpoint in '{path}' was written by a run with different options ({fingerprint}); this run is ({Fingerprint(d)}). Use another checkpoint directory or Resume = false.");
        }

        // A run may be extended (more Steps than the checkpointed run): it keeps its dead-latent window unless one is
        // set explicitly, and restarts the feature-density window when that moves.
        long checkpointStep = json["step"]!.GetValue<long>();
        if (checkpointStep > _options.Steps)
        {
            throw new InvalidOperationException(
                $"The checkpoint in '{path}' is at step {checkpointStep}, beyond this run's {_options.Steps} steps. Raise Steps to continue it, or use another checkpoint directory or Resume = false.");
        }

        long checkpointDeadWindow = json["dead_window"]?.GetValue<long>() ?? _options.EffectiveDeadTokenWindow;
        if (_options.DeadTokenWindow is long window && window != checkpointDeadWindow)
        {
            throw new InvalidDataException(
                $"The checkpoint in '{path}' was written with a dead-latent window of {checkpointDeadWindow} tokens; this run sets {window}. Use the same window, leave it unset, or use another checkpoint directory.");
        }

        var t = SafeTensorsFile.Read(Path.Combine(path, "state.safetensors"));
        using (no_grad())
        {
            Assign(sae.EncoderWeight, t["encoder.weight"].ToSingles());
            Assign(sae.EncoderBias, t["encoder.bias"].ToSingles());
            Assign(sae.DecoderWeight, t["W_dec"].ToSingles());
            Assign(sae.DecoderBias, t["b_dec"].ToSingles());
        }

        sae.Threshold = json["threshold"]?.GetValue<float>();
        step.LoadOptimizerState(t);
        t["tokens_since_fired"].ToInt64s().CopyTo(state.TokensSinceFired, 0);
        t["window_fires"].ToInt64s().CopyTo(state.WindowFires, 0);
        state.Step = checkpointStep;
        state.Tokens = json["tokens"]!.GetValue<long>();
        state.DeadWindow = checkpointDeadWindow;
        long checkpointDensityStart = json["density_window_start"]?.GetValue<long>() ?? state.DensityWindowStart;
        if (checkpointDensityStart == state.DensityWindowStart)
        {
            state.WindowSteps = json["window_steps"]!.GetValue<long>();
            state.WindowFvuSum = json["window_fvu_sum"]!.GetValue<double>();
            state.WindowL0Sum = json["window_l0_sum"]!.GetValue<double>();
        }
        else
        {
            // Extended run: the density statistics cover the new run's last tenth (from here at the earliest).
            Array.Clear(state.WindowFires);
            state.DensityWindowStart = Math.Max(state.DensityWindowStart, checkpointStep);
        }

        random.State = json["rng"]!.AsArray().Select(n => ulong.Parse(n!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        buffer.Restore(
            new FrameSourcePosition(
                json["epoch"]!.GetValue<long>(), json["clips_started"]!.GetValue<long>(), json["frame_in_clip"]!.GetValue<long>(),
                json["frames_this_epoch"]!.GetValue<long>(), json["skipped_frames"]!.GetValue<long>()),
            t["shuffle_buffer"].ToSingles());
        return true;
    }

    private static SafeTensorSource ToSource(SafeTensor t) => new(t.Name, t.DType, t.Shape, t.Data.LongLength, stream => stream.Write(t.Data));

    private static void Assign(Tensor target, float[] values)
    {
        using var source = tensor(values, target.shape);
        target.copy_(source);
    }

    private string Fingerprint(int d)
    {
        var o = _options;

        // Top-K runs keep the fingerprint they had before variants existed, so their checkpoints stay resumable.
        string variant = o.Variant == SaeVariant.TopK
            ? ""
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $" variant={o.Variant} prefixes={string.Join(",", o.EffectivePrefixSizes)} threshold_rate={o.ThresholdUpdateRate:R}");
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"d={d} m={o.LatentCount} k={o.K} batch={o.BatchSize} lr={o.EffectiveLearningRate:R} warmup={o.LearningRateWarmupSteps} " +
            $"betas={o.Beta1:R},{o.Beta2:R} eps={o.Epsilon:R} auxk={o.AuxK}/{o.AuxKCount}/{o.AuxKCoefficient:R} " +
            $"bdec={o.DecoderBiasInitialization}/{o.DecoderBiasSampleFrames} norm={o.NormalizeDecoder} seed={o.Seed} buffer={o.EffectiveShuffleBufferFrames} invalid={o.InvalidFrames}{variant}");
    }
}
