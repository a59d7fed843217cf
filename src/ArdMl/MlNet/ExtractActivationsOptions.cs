using ArdMl.Activations;

namespace ArdMl.MlNet;

/// <summary>How a saved ExtractActivations model keeps its ONNX model.</summary>
public enum ActivationModelStorage
{
    /// <summary>The model bytes are embedded in the saved ML.NET model (the default; up to <see cref="ExtractActivationsOptions.MaxEmbeddedModelBytes"/>).</summary>
    Embed,

    /// <summary>Only the model file's full path and SHA-256 are saved; loading reads the file and refuses it when the hash differs.</summary>
    PathWithChecksum,
}

/// <summary>Options of <c>mlContext.Transforms.Ard().ExtractActivations(options)</c>.</summary>
public sealed class ExtractActivationsOptions
{
    /// <summary>Default limit of <see cref="MaxEmbeddedModelBytes"/>: 512 MiB.</summary>
    public const long DefaultMaxEmbeddedModelBytes = 512L << 20;

    /// <summary>Path of the model description JSON (used when <see cref="ModelDescription"/> is null).</summary>
    public string? ModelDescriptionPath { get; set; }

    /// <summary>The model description (takes precedence over <see cref="ModelDescriptionPath"/>).</summary>
    public ModelDescription? ModelDescription { get; set; }

    /// <summary>The tap whose activations fill the output; null uses the description's first default tap.</summary>
    public string? Tap { get; set; }

    /// <summary>Input column of mono samples (a vector of Single). Default "Samples".</summary>
    public string InputColumnName { get; set; } = "Samples";

    /// <summary>Output column: frames × d activations, row-major, of type Vector&lt;Single&gt;(0, d). Default "Activations".</summary>
    public string OutputColumnName { get; set; } = "Activations";

    /// <summary>Output column holding the number of frames (Int32). Default "FrameCount".</summary>
    public string OutputFrameCountColumnName { get; set; } = "FrameCount";

    /// <summary>Sample rate of the input samples; when it differs from the description's, clips are resampled. Null: the description's rate.</summary>
    public int? InputSampleRate { get; set; }

    /// <summary>Windows per model run inside one clip. Default 8.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime decides).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Workers, each an extractor with its own ONNX Runtime session, serving rows of parallel cursors
    /// (GetRowCursorSet) at once; with several, the intra-op threads (when 0) are shared out among them. Default 1.
    /// Not saved with the model.
    /// </summary>
    public int Workers { get; set; } = 1;

    /// <summary>Execution provider (CUDA falls back to CPU with a logged message where unavailable).</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Drop frames whose input RMS is below this level in dBFS; null keeps all frames.</summary>
    public double? SilenceThresholdDb { get; set; }

    /// <summary>NaN/Inf activations: throw (default) or give the row zero frames and log a warning.</summary>
    public NonFiniteActivationPolicy NonFinite { get; set; } = NonFiniteActivationPolicy.Throw;

    /// <summary>How a saved model keeps the ONNX model. Default <see cref="ActivationModelStorage.Embed"/>.</summary>
    public ActivationModelStorage ModelStorage { get; set; } = ActivationModelStorage.Embed;

    /// <summary>Largest model (plus mel model) embedded; bigger models need <see cref="ActivationModelStorage.PathWithChecksum"/>.</summary>
    public long MaxEmbeddedModelBytes { get; set; } = DefaultMaxEmbeddedModelBytes;

    /// <summary>Extra folders searched for the model files.</summary>
    public IReadOnlyList<string> ModelSearchRoots { get; set; } = [];

    internal ExtractActivationsOptions Validated()
    {
        static void RequireName(string? name, string property)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"ExtractActivations: {property} must be a non-empty column name.", property);
            }
        }

        RequireName(InputColumnName, nameof(InputColumnName));
        RequireName(OutputColumnName, nameof(OutputColumnName));
        RequireName(OutputFrameCountColumnName, nameof(OutputFrameCountColumnName));
        if (OutputColumnName == OutputFrameCountColumnName)
        {
            throw new ArgumentException($"ExtractActivations: the activations and frame-count columns are both named '{OutputColumnName}'.", nameof(OutputFrameCountColumnName));
        }

        if (ModelDescription is null && string.IsNullOrWhiteSpace(ModelDescriptionPath))
        {
            throw new ArgumentException("ExtractActivations: set ModelDescription or ModelDescriptionPath.", nameof(ModelDescriptionPath));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEmbeddedModelBytes, 1, nameof(MaxEmbeddedModelBytes));
        if (!Enum.IsDefined(ModelStorage) || !Enum.IsDefined(NonFinite) || !Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(nameof(ModelStorage), "ExtractActivations: an enum option has an undefined value.");
        }

        return new ExtractActivationsOptions
        {
            ModelDescriptionPath = ModelDescriptionPath,
            ModelDescription = ModelDescription ?? ModelDescription.Load(ModelDescriptionPath!),
            Tap = Tap,
            InputColumnName = InputColumnName,
            OutputColumnName = OutputColumnName,
            OutputFrameCountColumnName = OutputFrameCountColumnName,
            InputSampleRate = InputSampleRate,
            BatchSize = BatchSize,
            IntraOpThreads = IntraOpThreads,
            Workers = Workers,
            ExecutionProvider = ExecutionProvider,
            SilenceThresholdDb = SilenceThresholdDb,
            NonFinite = NonFinite,
            ModelStorage = ModelStorage,
            MaxEmbeddedModelBytes = MaxEmbeddedModelBytes,
            ModelSearchRoots = [.. ModelSearchRoots],
        };
    }

    internal ActivationExtractorOptions ToExtractorOptions() => new()
    {
        BatchSize = BatchSize,
        IntraOpThreads = IntraOpThreads,
        Workers = Workers,
        ExecutionProvider = ExecutionProvider,
        SilenceThresholdDb = SilenceThresholdDb,
        NonFinite = NonFinite,
        InputSampleRate = InputSampleRate,
        ModelSearchRoots = ModelSearchRoots,
    };
}
