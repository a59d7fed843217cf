namespace ArdMl.Sae;

/// <summary>How <c>b_dec</c> is initialised from the first sample of frames.</summary>
public enum DecoderBiasInitialization
{
    /// <summary>Mean of the sample (sparsify).</summary>
    Mean,

    /// <summary>Geometric median of the sample (OpenAI, dictionary_learning), by Weiszfeld iterations.</summary>
    GeometricMedian,

    /// <summary>Zero.</summary>
    Zero,
}

/// <summary>What the trainer does with a frame containing NaN or infinity.</summary>
public enum InvalidFrameHandling
{
    /// <summary>Throw an <see cref="InvalidDataException"/> naming the clip and frame.</summary>
    Throw,

    /// <summary>Skip the frame and count it (reported in progress and metrics).</summary>
    Skip,
}

/// <summary>Options of <see cref="SparseAutoencoderTrainer"/>; defaults follow the recipe in the design notes.</summary>
public sealed class SparseAutoencoderTrainerOptions
{
    /// <summary>Number of latents m.</summary>
    public int LatentCount { get; set; } = 8192;

    /// <summary>Active latents per frame (0 &lt; K &lt; m); for the BatchTopK family, on average over each batch.</summary>
    public int K { get; set; } = 32;

    /// <summary>
    /// Sparsity rule: <see cref="SaeVariant.TopK"/> (default), <see cref="SaeVariant.BatchTopK"/> or
    /// <see cref="SaeVariant.MatryoshkaBatchTopK"/>. The BatchTopK family always trains with the tensor step (on the
    /// CPU or the CUDA device), whatever <see cref="StepKernel"/> says.
    /// </summary>
    public SaeVariant Variant { get; set; } = SaeVariant.TopK;

    /// <summary>
    /// Nested prefix sizes of <see cref="SaeVariant.MatryoshkaBatchTopK"/>, strictly ascending, the last = m; null =
    /// m/16, m/8, m/4, m/2, m (those that are positive). Ignored by the other variants.
    /// </summary>
    public IReadOnlyList<int>? MatryoshkaPrefixSizes { get; set; }

    /// <summary>
    /// Rate of the BatchTopK threshold's running mean: θ ← (1 − rate)·θ + rate·(smallest kept positive value of the
    /// batch), θ = that value after the first step (SAELens uses 0.01, starting from 0).
    /// </summary>
    public float ThresholdUpdateRate { get; set; } = 0.01f;

    /// <summary>Training steps.</summary>
    public int Steps { get; set; } = 1000;

    /// <summary>Frames per step.</summary>
    public int BatchSize { get; set; } = 4096;

    /// <summary>Adam learning rate; null = 2e-4 / √(m / 2^14).</summary>
    public double? LearningRate { get; set; }

    /// <summary>Linear learning-rate warm-up steps (0 = none).</summary>
    public int LearningRateWarmupSteps { get; set; }

    /// <summary>Adam β1.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Adam β2.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Adam ε.</summary>
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Whether the AuxK loss against dead latents is used.</summary>
    public bool AuxK { get; set; } = true;

    /// <summary>Dead latents decoded per frame by AuxK; null = d / 2.</summary>
    public int? AuxKCount { get; set; }

    /// <summary>Weight of the AuxK loss.</summary>
    public float AuxKCoefficient { get; set; } = 1f / 32;

    /// <summary>
    /// Tokens (frames) without firing after which a latent counts as dead; null = min(10M, max(batch, 10% of the
    /// run's tokens)), i.e. sparsify's 10M scaled down for short runs.
    /// </summary>
    public long? DeadTokenWindow { get; set; }

    /// <summary>How b_dec is initialised.</summary>
    public DecoderBiasInitialization DecoderBiasInitialization { get; set; } = DecoderBiasInitialization.GeometricMedian;

    /// <summary>Frames of the first shuffle-buffer fill used to initialise b_dec (at most the buffer size).</summary>
    public int DecoderBiasSampleFrames { get; set; } = 32768;

    /// <summary>Keep decoder rows at unit norm (and remove the gradient parallel to them).</summary>
    public bool NormalizeDecoder { get; set; } = true;

    /// <summary>Seed of weight initialisation and shuffling.</summary>
    public ulong Seed { get; set; }

    /// <summary>Capacity of the shuffle buffer in frames; null = 16 × batch size. Bounds memory for any corpus size.</summary>
    public int? ShuffleBufferFrames { get; set; }

    /// <summary>Frames with NaN/Inf: throw (default) or skip and count.</summary>
    public InvalidFrameHandling InvalidFrames { get; set; } = InvalidFrameHandling.Throw;

    /// <summary>Directory for resumable checkpoints; null = no checkpoints.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Write a checkpoint every this many steps.</summary>
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>
    /// Resume from the checkpoint in <see cref="CheckpointDirectory"/> when one exists. <see cref="Steps"/> may exceed
    /// the checkpointed run's to extend it (it keeps its dead-latent window unless <see cref="DeadTokenWindow"/> is set).
    /// </summary>
    public bool Resume { get; set; } = true;

    /// <summary>Report progress every this many steps (and after the last).</summary>
    public int ProgressInterval { get; set; } = 10;

    /// <summary>
    /// CUDA device id to train on (builds with <c>ARD_GPU</c> only; the tensor step runs there); null = CPU. Follows
    /// Microsoft.ML.TorchSharp: when the GPU is unavailable the trainer throws unless <see cref="FallbackToCpu"/> is set.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Train on the CPU when the requested GPU is unavailable.</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>
    /// Training-step implementation on the CPU: <see cref="SaeTrainingStepKernel.Fused"/> (default, fastest) or
    /// <see cref="SaeTrainingStepKernel.Tensor"/>. On a CUDA device the tensor step is always used. Both write the same
    /// checkpoints, so a run may continue with the other step (or device); it then matches an unswitched run to float
    /// tolerance rather than bit for bit.
    /// </summary>
    public SaeTrainingStepKernel StepKernel { get; set; } = SaeTrainingStepKernel.Fused;

    /// <summary>The learning rate actually used.</summary>
    public double EffectiveLearningRate => LearningRate ?? 2e-4 / Math.Sqrt(LatentCount / 16384.0);

    internal long EffectiveDeadTokenWindow =>
        DeadTokenWindow ?? Math.Min(10_000_000L, Math.Max(BatchSize, (long)Steps * BatchSize / 10));

    /// <summary>The Matryoshka prefix sizes actually used (empty for the other variants).</summary>
    public IReadOnlyList<int> EffectivePrefixSizes => Variant != SaeVariant.MatryoshkaBatchTopK
        ? []
        : MatryoshkaPrefixSizes ?? new[] { 16, 8, 4, 2, 1 }.Select(f => LatentCount / f).Where(p => p > 0).Distinct().ToArray();

    internal int EffectiveShuffleBufferFrames => ShuffleBufferFrames ?? checked(16 * BatchSize);

    internal void Validate(int inputDim)
    {
        TopKSparseAutoencoder.ValidateShape(inputDim, LatentCount, K);
        Require(Steps > 0, nameof(Steps), Steps, "must be positive");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "must be positive");
        Require(EffectiveShuffleBufferFrames >= BatchSize, nameof(ShuffleBufferFrames), EffectiveShuffleBufferFrames, "must hold at least one batch");
        Require(EffectiveLearningRate > 0 && double.IsFinite(EffectiveLearningRate), nameof(LearningRate), EffectiveLearningRate, "must be a positive number");
        Require(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "must be in [0, 1)");
        Require(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "must be in [0, 1)");
        Require(Epsilon > 0, nameof(Epsilon), Epsilon, "must be positive");
        Require(AuxKCount is null or > 0, nameof(AuxKCount), AuxKCount, "must be positive");
        Require(AuxKCoefficient >= 0, nameof(AuxKCoefficient), AuxKCoefficient, "cannot be negative");
        Require(DeadTokenWindow is null or > 0, nameof(DeadTokenWindow), DeadTokenWindow, "must be positive");
        Require(DecoderBiasSampleFrames > 0, nameof(DecoderBiasSampleFrames), DecoderBiasSampleFrames, "must be positive");
        Require(CheckpointInterval > 0, nameof(CheckpointInterval), CheckpointInterval, "must be positive");
        Require(ProgressInterval > 0, nameof(ProgressInterval), ProgressInterval, "must be positive");
        Require(Enum.IsDefined(Variant), nameof(Variant), Variant, "is not a defined variant");
        Require(ThresholdUpdateRate is > 0 and <= 1, nameof(ThresholdUpdateRate), ThresholdUpdateRate, "must be in (0, 1]");
        var prefixes = EffectivePrefixSizes;
        Require(
            Variant != SaeVariant.MatryoshkaBatchTopK ||
            (prefixes.Count > 0 && prefixes[0] > 0 && prefixes[^1] == LatentCount && prefixes.Zip(prefixes.Skip(1)).All(p => p.First < p.Second)),
            nameof(MatryoshkaPrefixSizes), string.Join(",", prefixes), $"must be strictly ascending positive sizes ending at m = {LatentCount}");
        Require(LearningRateWarmupSteps >= 0, nameof(LearningRateWarmupSteps), LearningRateWarmupSteps, "cannot be negative");
    }

    private static void Require(bool condition, string name, object? value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"SAE trainer option {name} {rule}.");
        }
    }
}

/// <summary>How a training step is computed.</summary>
public enum SaeTrainingStepKernel
{
    /// <summary>Hand-written fused CPU kernels that touch only the k selected latents per frame (CPU only).</summary>
    Fused,

    /// <summary>TorchSharp tensor operations only (sparse gathers, manual gradients); runs on the CPU or a CUDA device, same maths as Fused.</summary>
    Tensor,
}
