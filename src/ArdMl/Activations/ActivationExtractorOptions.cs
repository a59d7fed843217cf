namespace ArdMl.Activations;

/// <summary>Options of <see cref="ActivationExtractor"/>; immutable, with documented defaults.</summary>
public sealed class ActivationExtractorOptions
{
    /// <summary>Windows (or, for recurrent chunks, clips in lockstep) per model run. Default 8.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>
    /// ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime choose with one worker, and shares the processor
    /// count out among the workers' sessions with several. Default 0.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Workers of <see cref="ActivationExtractor.ExtractMany(IEnumerable{AudioClip}, IProgress{int})"/>, each with its own
    /// ONNX Runtime session, loading, preparing and running clips in parallel; results are identical for every count.
    /// Default 1 (everything on the calling thread).
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>Execution provider. Default CPU.</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>
    /// When set, frames whose input samples have an RMS level below this many dB relative to full scale are dropped
    /// (a frame covers its equal share of its window or chunk). Null (the default) keeps every frame.
    /// </summary>
    public double? SilenceThresholdDb { get; init; }

    /// <summary>What to do when a tap yields NaN or infinity. Default <see cref="NonFiniteActivationPolicy.Throw"/>.</summary>
    public NonFiniteActivationPolicy NonFinite { get; init; } = NonFiniteActivationPolicy.Throw;

    /// <summary>Extra folders searched for model files after the description's own search roots.</summary>
    public IReadOnlyList<string> ModelSearchRoots { get; init; } = [];

    /// <summary>
    /// Sample rate (Hz) of the samples callers pass; when it differs from the description's rate (Basic Pitch wants
    /// 22,050 Hz) each clip is resampled with <see cref="Audio.AudioResampler"/>. Null (the default) means the samples
    /// already have the description's rate.
    /// </summary>
    public int? InputSampleRate { get; init; }

    /// <summary>A copy with another worker count and intra-op thread count.</summary>
    /// <param name="workers">Workers (at least 1).</param>
    /// <param name="intraOpThreads">Intra-op threads per session (0: shared out).</param>
    public ActivationExtractorOptions WithWorkers(int workers, int intraOpThreads) => new()
    {
        BatchSize = BatchSize,
        IntraOpThreads = intraOpThreads,
        Workers = workers,
        ExecutionProvider = ExecutionProvider,
        SilenceThresholdDb = SilenceThresholdDb,
        NonFinite = NonFinite,
        ModelSearchRoots = ModelSearchRoots,
        InputSampleRate = InputSampleRate,
    };

    /// <summary>The defaults.</summary>
    public static ActivationExtractorOptions Default { get; } = new();
}
