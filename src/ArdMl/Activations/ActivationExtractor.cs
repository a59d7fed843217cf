using System.Security.Cryptography;
using ArdMl.Audio;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Activations;

/// <summary>
/// Runs an ONNX audio model described by a <see cref="ModelDescription"/> over clips and returns the activations of
/// one or more internal values ("taps") as frames × d matrices per clip. Windows of many clips are batched into one
/// model run; recurrent chunked models run many clips in lockstep with their state carried from chunk to chunk.
/// </summary>
/// <remarks>
/// A clip's frames are the frames of its windows (or chunks) in order. Frames of a zero-padded final window that lie in
/// the padding are removed (a window keeps ceil(frames × valid share) of its frames). Instances are not thread-safe;
/// create one per thread, or share one and call it from one thread at a time.
/// </remarks>
public sealed class ActivationExtractor : IDisposable
{
    private readonly ModelDescription _description;
    private readonly ActivationExtractorOptions _options;
    private readonly InferenceSession _session;
    private readonly InferenceSession? _melSession;
    private readonly WhisperLogMel? _logMel;
    private readonly string[] _taps;
    private readonly string[] _runOutputs;
    private readonly HashSet<string> _inputTaps;
    private readonly Dictionary<string, int> _widths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TapOutputDecoder> _decoders = new(StringComparer.Ordinal);
    private readonly List<(string Name, OrtValue Value)> _constants = [];
    private readonly long[] _inputShapeTemplate;
    private readonly int _unitsPerWindow;
    private readonly int _unitWidth;
    private readonly int _samplesPerUnit;
    private readonly int _hopUnits;
    private readonly string _modelPath;
    private readonly RunOptions _runOptions = new();

    /// <summary>Analysis window of openWakeWord's mel model (n_fft 512): a mel frame covers 512 samples.</summary>
    private const int MelFftSize = 512;
    private bool _disposed;

    private ActivationExtractor(
        ModelDescription description, byte[] modelBytes, string modelName, byte[]? melModelBytes, string? melModelName, IReadOnlyList<string> taps, ActivationExtractorOptions options)
    {
        _description = description;
        _options = options;
        if (options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        }

        _modelPath = modelName;
        ModelBytes = modelBytes;
        MelModelBytes = melModelBytes;
        ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(ModelBytes));
        if (description.ModelSha256 is { Length: > 0 } expectedHash && !string.Equals(expectedHash, ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Model file '{_modelPath}' has SHA-256 {ModelSha256}; description '{description.Name}' expects {expectedHash}.");
        }

        _taps = [.. taps.Distinct(StringComparer.Ordinal)];
        if (_taps.Length == 0)
        {
            throw new ArgumentException($"No tap was named and description '{description.Name}' has no defaultTaps.", nameof(taps));
        }

        var editor = OnnxTapEditor.Parse(ModelBytes, _modelPath);
        var edited = editor.ExposeTaps(_taps, ModelBytes);
        _inputTaps = new HashSet<string>(_taps.Where(editor.IsGraphInput), StringComparer.Ordinal);
        foreach (var tap in _inputTaps)
        {
            if (tap != description.FrontEnd.Input)
            {
                throw new ArgumentException($"Tap '{tap}' is a model input other than the front end's input '{description.FrontEnd.Input}'; it carries no activations.", nameof(taps));
            }
        }

        var front = description.FrontEnd;
        _runOutputs = [.. _taps.Where(t => !_inputTaps.Contains(t)).Concat(front.State.Select(s => s.Output)).Distinct(StringComparer.Ordinal)];
        if (_runOutputs.Length == 0)
        {
            // Only the input itself is tapped; ONNX Runtime still needs one output to run.
            _runOutputs = [editor.OutputNames[0]];
        }
        EditedModelBytes = edited;
        using (var sessionOptions = CreateSessionOptions(options, out var provider, out var notice))
        {
            ExecutionProviderInUse = provider;
            ExecutionNotice = notice;
            _session = new InferenceSession(edited, sessionOptions);
            if (front.Kind == FrontEndKind.MelThenWindows)
            {
                var melPath = melModelName ?? "mel model";
                _melSession = new InferenceSession(melModelBytes ?? throw new ArgumentException($"Description '{description.Name}' needs a mel model (frontEnd.melModel)."), sessionOptions);
                CheckTensor(_melSession.InputMetadata, melPath, front.MelInput, TensorElementType.Float, null, "frontEnd.melInput");
                if (!_melSession.OutputMetadata.ContainsKey(front.MelOutput))
                {
                    throw new ModelInputMismatchException(melPath, front.MelOutput, "an output of that name (frontEnd.melOutput)", $"outputs {string.Join(", ", _melSession.OutputMetadata.Keys)}");
                }
            }
        }

        _inputShapeTemplate = [.. front.InputShape.Select(d => (long)d)];
        switch (front.Kind)
        {
            case FrontEndKind.Windows:
                (_unitsPerWindow, _unitWidth, _samplesPerUnit, _hopUnits) = (front.WindowSamples, 1, 1, front.HopSamples ?? front.WindowSamples);
                break;
            case FrontEndKind.RecurrentChunks:
                (_unitsPerWindow, _unitWidth, _samplesPerUnit, _hopUnits) = (front.WindowSamples, 1, 1, front.WindowSamples);
                break;
            case FrontEndKind.MelThenWindows:
                (_unitsPerWindow, _unitWidth, _samplesPerUnit, _hopUnits) = (front.WindowFrames, front.MelBins, front.MelHopSamples, front.HopFrames);
                break;
            case FrontEndKind.WhisperLogMel:
                _logMel = WhisperLogMel.Create(front.MelBins);
                var windowSamples = front.WindowFrames * WhisperLogMel.HopLength;
                (_unitsPerWindow, _unitWidth, _samplesPerUnit, _hopUnits) = (windowSamples, 1, 1, windowSamples);
                break;
            default:
                throw new NotSupportedException($"Front end kind {front.Kind} is not supported.");
        }

        try
        {
            CheckModelSignature();
            foreach (var constant in front.Constants)
            {
                _constants.Add((constant.Name, CreateConstant(constant)));
            }

            Probe();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The description in use.</summary>
    public ModelDescription Description => _description;

    /// <summary>The taps extracted, in order.</summary>
    public IReadOnlyList<string> Taps => _taps;

    /// <summary>Sample rate (Hz) the model runs at (the description's rate).</summary>
    public int SampleRate => _description.SampleRate;

    /// <summary>
    /// Sample rate (Hz) of the samples callers must pass: <see cref="ActivationExtractorOptions.InputSampleRate"/> when
    /// set (clips are then resampled), else <see cref="SampleRate"/>. Decode audio at this rate.
    /// </summary>
    public int InputSampleRate => _options.InputSampleRate ?? _description.SampleRate;

    /// <summary>The original model file content (for persisting the model).</summary>
    public byte[] ModelBytes { get; }

    /// <summary>The mel model's content (MelThenWindows), else null.</summary>
    public byte[]? MelModelBytes { get; }

    /// <summary>SHA-256 (lower-case hex) of <see cref="ModelBytes"/>.</summary>
    public string ModelSha256 { get; }

    /// <summary>The model bytes handed to ONNX Runtime (taps added to graph.output).</summary>
    internal byte[] EditedModelBytes { get; }

    /// <summary>The options in use.</summary>
    internal ActivationExtractorOptions Options => _options;

    /// <summary>Names of the outputs every model run requests.</summary>
    internal IReadOnlyList<string> RunOutputs => _runOutputs;

    /// <summary>Constant inputs fed to every run.</summary>
    internal IReadOnlyList<(string Name, OrtValue Value)> Constants => _constants;

    /// <summary>When set, receives a copy of every model input the extractor builds (see <see cref="ExtractionBaseline"/>).</summary>
    internal ExtractionBaseline? Recorder { get; set; }

    /// <summary>Creates session options like the extractor's (for a baseline session).</summary>
    internal SessionOptions CreateSessionOptions() => CreateSessionOptions(_options, out _, out _);

    /// <summary>Full path of the model file (or the name given to in-memory bytes).</summary>
    public string ModelPath => _modelPath;

    /// <summary>The execution provider actually used ("CPU" or "CUDA").</summary>
    public string ExecutionProviderInUse { get; }

    /// <summary>Why a requested provider is not in use (for example CUDA missing), or null.</summary>
    public string? ExecutionNotice { get; }

    /// <summary>Creates an extractor.</summary>
    /// <param name="description">The model description.</param>
    /// <param name="taps">Values to extract; null or empty uses the description's defaultTaps.</param>
    /// <param name="options">Options; null uses the defaults.</param>
    /// <exception cref="FileNotFoundException">The model file is missing (the message lists every place tried).</exception>
    /// <exception cref="UnknownTapException">A tap names no value of the graph (the message lists the nearest names).</exception>
    /// <exception cref="ModelInputMismatchException">The model's inputs do not match the description.</exception>
    public static ActivationExtractor Create(ModelDescription description, IEnumerable<string>? taps = null, ActivationExtractorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        options ??= ActivationExtractorOptions.Default;
        var modelPath = description.ResolveModelPath(options.ModelSearchRoots);
        var melPath = description.FrontEnd.Kind == FrontEndKind.MelThenWindows ? description.ResolveMelModelPath(options.ModelSearchRoots) : null;
        return CreateFromBytes(description, File.ReadAllBytes(modelPath), melPath is null ? null : File.ReadAllBytes(melPath), taps, options, modelPath, melPath);
    }

    /// <summary>
    /// Creates an extractor from model bytes already in memory (for example embedded in a saved ML.NET model); the
    /// description's file references are not used.
    /// </summary>
    /// <param name="description">The model description.</param>
    /// <param name="modelBytes">The tapped ONNX model.</param>
    /// <param name="melModelBytes">The mel model (MelThenWindows only), else null.</param>
    /// <param name="taps">Values to extract; null or empty uses the description's defaultTaps.</param>
    /// <param name="options">Options; null uses the defaults.</param>
    /// <param name="modelName">Name of the model in messages.</param>
    /// <param name="melModelName">Name of the mel model in messages.</param>
    public static ActivationExtractor CreateFromBytes(
        ModelDescription description,
        byte[] modelBytes,
        byte[]? melModelBytes,
        IEnumerable<string>? taps = null,
        ActivationExtractorOptions? options = null,
        string? modelName = null,
        string? melModelName = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(modelBytes);
        var list = taps?.Where(t => !string.IsNullOrWhiteSpace(t)).ToList() ?? [];
        return new ActivationExtractor(
            description, modelBytes, modelName ?? description.Model, melModelBytes, melModelName ?? description.FrontEnd.MelModel, list.Count > 0 ? list : description.DefaultTaps, options ?? ActivationExtractorOptions.Default);
    }

    /// <summary>Width d (features per frame) of a tap.</summary>
    public int WidthOf(string tap) =>
        _widths.TryGetValue(tap, out var width) ? width : throw new KeyNotFoundException($"Tap '{tap}' is not extracted; taps: {string.Join(", ", _taps)}.");

    /// <summary>
    /// Maps one clip's mono samples to the first tap's activations: row-major frames × d data, frame count and width.
    /// </summary>
    /// <param name="samples">Mono samples at <see cref="SampleRate"/>.</param>
    /// <param name="clipId">Clip id used in error messages.</param>
    public (float[] Data, int FrameCount, int Width) Extract(ReadOnlySpan<float> samples, string clipId = "clip")
    {
        var result = ExtractClip(new AudioClip(clipId, samples.ToArray()));
        var first = result.Taps[0];
        return (first.Data, first.FrameCount, first.Width);
    }

    /// <summary>Extracts every tap for one clip.</summary>
    public ClipActivations ExtractClip(AudioClip clip) => ExtractMany([clip]).Single();

    /// <summary>Extracts many clips, batching windows across clips; returns results in input order.</summary>
    public IReadOnlyList<ClipActivations> ExtractBatch(IReadOnlyList<AudioClip> clips, IProgress<int>? progress = null) =>
        [.. ExtractMany(clips, progress)];

    /// <summary>
    /// Streams results in input order as clips complete, holding at most one batch of windows (plus the clips they
    /// belong to) in memory.
    /// </summary>
    /// <param name="clips">The clips.</param>
    /// <param name="progress">Receives the number of clips completed so far.</param>
    public IEnumerable<ClipActivations> ExtractMany(IEnumerable<AudioClip> clips, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_options.InputSampleRate is { } rate && rate != SampleRate)
        {
            clips = clips.Select(c => c with { Samples = AudioResampler.Resample(c.Samples.Span, rate, SampleRate) });
        }

        return _description.FrontEnd.Kind == FrontEndKind.RecurrentChunks ? ExtractRecurrent(clips, progress) : ExtractWindowed(clips, progress);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, value) in _constants)
        {
            value.Dispose();
        }

        _session?.Dispose();
        _melSession?.Dispose();
        _runOptions.Dispose();
    }

    private static SessionOptions CreateSessionOptions(ActivationExtractorOptions options, out string provider, out string? notice)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        provider = "CPU";
        notice = null;
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
#if ARD_GPU
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(0);
                provider = "CUDA";
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                notice = $"CUDA execution provider unavailable ({e.Message.Split('\n')[0]}); running on CPU. ONNX Runtime GPU 1.31 needs CUDA 13 (libcublasLt.so.13) and a GPU.";
            }
#else
            notice = "CUDA was requested but this build has no GPU support (build with -p:ArdGpu=true); running on CPU.";
#endif
        }

        return sessionOptions;
    }

    private static string Describe(NodeMetadata metadata) =>
        $"{metadata.ElementDataType} [{string.Join(", ", metadata.Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : (metadata.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?")))}]";

    private static void CheckTensor(IReadOnlyDictionary<string, NodeMetadata> inputs, string model, string name, TensorElementType type, int[]? shape, string field)
    {
        if (!inputs.TryGetValue(name, out var metadata))
        {
            throw new ModelInputMismatchException(model, name, $"an input named so ({field})", $"inputs {string.Join(", ", inputs.Select(kv => $"'{kv.Key}' {Describe(kv.Value)}"))}");
        }

        var expected = $"{type} [{(shape is null ? "any" : string.Join(", ", shape.Select(d => d < 0 ? "batch" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))))}]";
        if (metadata.ElementDataType != type)
        {
            throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
        }

        if (shape is null)
        {
            return;
        }

        var dims = metadata.Dimensions;
        if (dims.Length != shape.Length)
        {
            throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
        }

        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] >= 0 && (shape[i] < 0 ? dims[i] != 1 : dims[i] != shape[i]))
            {
                throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
            }
        }
    }

    private static TensorElementType ElementType(string type) => type switch
    {
        "int64" => TensorElementType.Int64,
        "int32" => TensorElementType.Int32,
        _ => TensorElementType.Float,
    };

    private static OrtValue CreateConstant(ConstantInputDescription constant)
    {
        long[] shape = [.. constant.Shape.Select(d => (long)d)];
        return constant.Type switch
        {
            "int64" => OrtValue.CreateTensorValueFromMemory(constant.Values.Select(v => (long)v).ToArray(), shape),
            "int32" => OrtValue.CreateTensorValueFromMemory(constant.Values.Select(v => (int)v).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(constant.Values.Select(v => (float)v).ToArray(), shape),
        };
    }

    private void CheckModelSignature()
    {
        var front = _description.FrontEnd;
        var inputs = _session.InputMetadata;
        var fed = new HashSet<string>(StringComparer.Ordinal) { front.Input };
        CheckTensor(inputs, _modelPath, front.Input, TensorElementType.Float, front.InputShape, "frontEnd.input");
        foreach (var state in front.State)
        {
            fed.Add(state.Input);
            CheckTensor(inputs, _modelPath, state.Input, TensorElementType.Float, state.Shape, "frontEnd.state.input");
            if (!_session.OutputMetadata.ContainsKey(state.Output))
            {
                throw new ModelInputMismatchException(_modelPath, state.Output, "an output carrying the next state (frontEnd.state.output)", $"outputs {string.Join(", ", _session.OutputMetadata.Keys)}");
            }
        }

        foreach (var constant in front.Constants)
        {
            fed.Add(constant.Name);
            CheckTensor(inputs, _modelPath, constant.Name, ElementType(constant.Type), constant.Shape, "frontEnd.constants");
        }

        foreach (var (name, metadata) in inputs)
        {
            if (!fed.Contains(name))
            {
                throw new ModelInputMismatchException(_modelPath, name, "no such input (the description feeds " + string.Join(", ", fed) + ")", $"a required input {Describe(metadata)}");
            }
        }
    }

    private void Probe()
    {
        var front = _description.FrontEnd;
        if (front.Kind == FrontEndKind.RecurrentChunks)
        {
            var state = new RecurrentBatch(this, 1);
            state.SetChunk(0, new float[_unitsPerWindow + front.ContextSamples]);
            using var outputs = state.Run();
            RegisterShapes(outputs, state.InputShape);
            return;
        }

        var perWindow = InputValuesPerWindow();
        var buffer = new float[perWindow];
        FillWindowInput(new float[_unitsPerWindow * _unitWidth], buffer);
        var shape = InputShape(1);
        using var results = RunWindows(buffer, shape);
        RegisterShapes(results, shape);
    }

    private void RegisterShapes(IReadOnlyList<OrtValue> outputs, long[] inputShape)
    {
        foreach (var tap in _taps)
        {
            _widths[tap] = DecoderFor(tap, outputs, inputShape, 1).Width;
        }
    }

    private TapOutputDecoder DecoderFor(string tap, IReadOnlyList<OrtValue> outputs, long[] inputShape, int batch)
    {
        long[] shape;
        if (_inputTaps.Contains(tap))
        {
            shape = inputShape;
        }
        else
        {
            var value = outputs[Array.IndexOf(_runOutputs, tap)];
            var info = value.GetTensorTypeAndShape();
            if (info.ElementDataType != TensorElementType.Float)
            {
                throw new InvalidOperationException($"Tap '{tap}' of model '{_modelPath}' holds {info.ElementDataType} values; only float tensors can be extracted.");
            }

            shape = info.Shape;
        }

        if (_decoders.TryGetValue(tap, out var cached) && cached.Matches(shape))
        {
            return cached;
        }

        var layout = _description.LayoutFor(tap, shape.Length);
        var decoder = new TapOutputDecoder(tap, shape, layout);
        if (decoder.BatchAxisLength != batch)
        {
            throw new InvalidOperationException(
                $"Tap '{tap}' has shape [{string.Join(", ", shape)}] for a batch of {batch}: axis {layout.BatchAxis} is not the batch axis. Add a tapLayouts rule to description '{_description.Name}'.");
        }

        if (_widths.TryGetValue(tap, out var width) && width != decoder.Width)
        {
            throw new InvalidOperationException($"Tap '{tap}' changed width from {width} to {decoder.Width} (shape [{string.Join(", ", shape)}]); its layout needs a time axis.");
        }

        _decoders[tap] = decoder;
        return decoder;
    }

    private ReadOnlySpan<float> TapData(string tap, IReadOnlyList<OrtValue> outputs, float[] input, int inputLength) =>
        _inputTaps.Contains(tap) ? input.AsSpan(0, inputLength) : outputs[Array.IndexOf(_runOutputs, tap)].GetTensorDataAsSpan<float>();

    private int InputValuesPerWindow() => (int)_inputShapeTemplate.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);

    private long[] InputShape(int batch) => [.. _inputShapeTemplate.Select(d => d < 0 ? batch : d)];

    private IDisposableReadOnlyCollection<OrtValue> RunWindows(float[] buffer, long[] shape)
    {
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, count), shape);
        var names = new List<string>(1 + _constants.Count) { _description.FrontEnd.Input };
        var values = new List<OrtValue>(1 + _constants.Count) { input };
        foreach (var (name, value) in _constants)
        {
            names.Add(name);
            values.Add(value);
        }

        Recorder?.RecordWindows(buffer.AsSpan(0, count), shape);
        return _session.Run(_runOptions, names, values, _runOutputs);
    }

    /// <summary>Turns one window of units (samples or mel frames) into the model's input values.</summary>
    private void FillWindowInput(ReadOnlySpan<float> windowUnits, Span<float> destination)
    {
        var front = _description.FrontEnd;
        switch (front.Kind)
        {
            case FrontEndKind.WhisperLogMel:
                _logMel!.Compute(windowUnits, destination, front.WindowFrames);
                break;
            case FrontEndKind.MelThenWindows:
                if (front.MelTransform is { } transform)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(windowUnits, transform.Scale, destination);
                    System.Numerics.Tensors.TensorPrimitives.Add(destination, transform.Offset, destination);
                }
                else
                {
                    windowUnits.CopyTo(destination);
                }

                break;
            default:
                if (front.InputScale == 1f)
                {
                    windowUnits.CopyTo(destination);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(windowUnits, front.InputScale, destination);
                }

                break;
        }
    }

    /// <summary>
    /// The clip as units: samples, or mel frames (row-major frames × melBins) for MelThenWindows.
    /// <paramref name="plannedUnits"/> counts the units that carry the clip (windows are planned over them);
    /// <paramref name="availableUnits"/> counts the units in the returned array, which may be more when a short clip
    /// was zero-padded as audio before the mel model (so padding looks like silence to the embedding model).
    /// </summary>
    private float[] ClipUnits(ReadOnlyMemory<float> samples, out int plannedUnits, out int availableUnits)
    {
        var front = _description.FrontEnd;
        if (front.Kind != FrontEndKind.MelThenWindows)
        {
            plannedUnits = availableUnits = samples.Length;
            return samples.ToArray();
        }

        var validFrames = samples.Length < MelFftSize ? 0 : ((samples.Length - MelFftSize) / front.MelHopSamples) + 1;
        var minimumSamples = ((front.WindowFrames - 1) * front.MelHopSamples) + MelFftSize;
        var length = samples.Length;
        if (validFrames < front.WindowFrames && front.ShortClip != ShortClipPolicy.Empty && samples.Length > 0)
        {
            length = minimumSamples;
        }

        plannedUnits = availableUnits = 0;
        if (validFrames == 0 && length < minimumSamples)
        {
            return [];
        }

        var scaled = new float[length];
        if (front.ShortClip == ShortClipPolicy.Loop && length > samples.Length)
        {
            for (var i = 0; i < length; i++)
            {
                scaled[i] = samples.Span[i % samples.Length] * front.InputScale;
            }

            validFrames = front.WindowFrames;
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(samples.Span, front.InputScale, scaled.AsSpan(0, samples.Length));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(scaled, [1, scaled.Length]);
        Recorder?.RecordMel(scaled);
        using var outputs = _melSession!.Run(_runOptions, [front.MelInput], [input], [front.MelOutput]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length < 2 || shape[^1] != front.MelBins)
        {
            throw new ModelInputMismatchException(front.MelModel!, front.MelOutput, $"[..., frames, {front.MelBins}]", $"[{string.Join(", ", shape)}]");
        }

        availableUnits = (int)shape[^2];
        plannedUnits = Math.Max(1, Math.Min(validFrames, availableUnits));
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private List<WindowPlan> PlanWindows(int units)
    {
        var front = _description.FrontEnd;
        var plan = new List<WindowPlan>();
        var window = _unitsPerWindow;
        if (units <= 0)
        {
            return plan;
        }

        if (units < window)
        {
            switch (front.ShortClip)
            {
                case ShortClipPolicy.Pad:
                    plan.Add(new WindowPlan(0, units, Loop: false));
                    break;
                case ShortClipPolicy.Loop:
                    plan.Add(new WindowPlan(0, window, Loop: true));
                    break;
                default:
                    break;
            }

            return plan;
        }

        var start = 0;
        for (; start + window <= units; start += _hopUnits)
        {
            plan.Add(new WindowPlan(start, window, Loop: false));
        }

        var covered = plan[^1].Start + window;
        if (front.Tail == ClipTailPolicy.Pad && covered < units && start < units)
        {
            plan.Add(new WindowPlan(start, units - start, Loop: false));
        }

        return plan;
    }

    private IEnumerable<ClipActivations> ExtractWindowed(IEnumerable<AudioClip> clips, IProgress<int>? progress)
    {
        var perWindow = InputValuesPerWindow();
        var batch = _options.BatchSize;
        var buffer = new float[perWindow * batch];
        var windowUnits = new float[_unitsPerWindow * _unitWidth];
        var slots = new List<(PendingClip Clip, WindowPlan Window)>(batch);
        var pending = new Queue<PendingClip>();
        var completed = 0;

        foreach (var clip in clips)
        {
            var units = ClipUnits(clip.Samples, out var unitCount, out var availableUnits);
            var plan = PlanWindows(unitCount);
            var pendingClip = new PendingClip(clip, plan.Count, _taps.Length);
            pending.Enqueue(pendingClip);
            foreach (var window in plan)
            {
                CopyWindowUnits(units, availableUnits, window, windowUnits);
                FillWindowInput(windowUnits, buffer.AsSpan(slots.Count * perWindow, perWindow));
                slots.Add((pendingClip, window));
                if (slots.Count == batch)
                {
                    RunSlots(buffer, slots);
                }
            }

            while (pending.Count > 0 && pending.Peek().IsComplete)
            {
                yield return Finish(pending.Dequeue());
                progress?.Report(++completed);
            }
        }

        if (slots.Count > 0)
        {
            RunSlots(buffer, slots);
        }

        while (pending.Count > 0)
        {
            yield return Finish(pending.Dequeue());
            progress?.Report(++completed);
        }
    }

    private void CopyWindowUnits(float[] units, int availableUnits, WindowPlan window, Span<float> destination)
    {
        var width = _unitWidth;
        if (window.Loop && availableUnits < _unitsPerWindow)
        {
            for (var u = 0; u < _unitsPerWindow; u++)
            {
                units.AsSpan((u % availableUnits) * width, width).CopyTo(destination.Slice(u * width, width));
            }

            return;
        }

        var copy = Math.Min(_unitsPerWindow, availableUnits - window.Start);
        units.AsSpan(window.Start * width, copy * width).CopyTo(destination);
        destination[(copy * width)..].Clear();
    }

    private void RunSlots(float[] buffer, List<(PendingClip Clip, WindowPlan Window)> slots)
    {
        var count = slots.Count;
        var shape = InputShape(count);
        using var outputs = RunWindows(buffer, shape);
        var perWindow = InputValuesPerWindow();
        for (var t = 0; t < _taps.Length; t++)
        {
            var decoder = DecoderFor(_taps[t], outputs, shape, count);
            var data = TapData(_taps[t], outputs, buffer, perWindow * count);
            for (var s = 0; s < count; s++)
            {
                var (clip, window) = slots[s];
                var frames = decoder.FramesPerEntry;
                var keep = window.Loop || window.Valid >= _unitsPerWindow ? frames : Math.Max(1, (int)Math.Ceiling((double)frames * window.Valid / _unitsPerWindow));
                var sampleStart = (long)window.Start * _samplesPerUnit;
                var sampleLength = (long)_unitsPerWindow * _samplesPerUnit;
                if (_description.FrontEnd.Kind == FrontEndKind.MelThenWindows)
                {
                    sampleLength += MelFftSize - _samplesPerUnit; // the last mel frame's 512-sample window reaches past its hop.
                }

                clip.Append(t, decoder, data, s, keep, frames, sampleStart, sampleLength, window.Loop);
            }
        }

        foreach (var (clip, _) in slots)
        {
            clip.WindowDone();
        }

        slots.Clear();
    }

    private IEnumerable<ClipActivations> ExtractRecurrent(IEnumerable<AudioClip> clips, IProgress<int>? progress)
    {
        var completed = 0;
        var group = new List<AudioClip>(_options.BatchSize);
        foreach (var clip in clips)
        {
            group.Add(clip);
            if (group.Count == _options.BatchSize)
            {
                foreach (var result in RunRecurrentGroup(group))
                {
                    yield return result;
                    progress?.Report(++completed);
                }

                group.Clear();
            }
        }

        if (group.Count > 0)
        {
            foreach (var result in RunRecurrentGroup(group))
            {
                yield return result;
                progress?.Report(++completed);
            }
        }
    }

    private List<ClipActivations> RunRecurrentGroup(List<AudioClip> group)
    {
        var front = _description.FrontEnd;
        var chunk = _unitsPerWindow;
        var context = front.ContextSamples;
        var plans = group.Select(c => PlanWindows(c.Samples.Length)).ToList();
        var pendingClips = group.Select((c, i) => new PendingClip(c, plans[i].Count, _taps.Length)).ToList();
        var steps = plans.Count == 0 ? 0 : plans.Max(p => p.Count);
        var batch = new RecurrentBatch(this, group.Count);
        Recorder?.StartRecurrentGroup(group.Count);
        var row = new float[chunk + context];
        for (var step = 0; step < steps; step++)
        {
            for (var b = 0; b < group.Count; b++)
            {
                Array.Clear(row);
                if (step < plans[b].Count)
                {
                    var window = plans[b][step];
                    var samples = group[b].Samples.Span;
                    var contextStart = window.Start - context;
                    for (var i = 0; i < context; i++)
                    {
                        var index = contextStart + i;
                        row[i] = index >= 0 ? samples[index] : 0f;
                    }

                    if (window.Loop)
                    {
                        for (var i = 0; i < chunk; i++)
                        {
                            row[context + i] = samples[i % samples.Length];
                        }
                    }
                    else
                    {
                        samples.Slice(window.Start, window.Valid).CopyTo(row.AsSpan(context));
                    }

                    if (front.InputScale != 1f)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Multiply(row, front.InputScale, row);
                    }
                }

                batch.SetChunk(b, row);
            }

            using var outputs = batch.Run();
            for (var t = 0; t < _taps.Length; t++)
            {
                var decoder = DecoderFor(_taps[t], outputs, batch.InputShape, group.Count);
                var data = TapData(_taps[t], outputs, batch.InputBuffer, batch.InputBuffer.Length);
                for (var b = 0; b < group.Count; b++)
                {
                    if (step >= plans[b].Count)
                    {
                        continue;
                    }

                    var window = plans[b][step];
                    var frames = decoder.FramesPerEntry;
                    var keep = window.Loop || window.Valid >= chunk ? frames : Math.Max(1, (int)Math.Ceiling((double)frames * window.Valid / chunk));
                    pendingClips[b].Append(t, decoder, data, b, keep, frames, window.Start, chunk, window.Loop);
                }
            }

            batch.CarryState(outputs);
            for (var b = 0; b < group.Count; b++)
            {
                if (step < plans[b].Count)
                {
                    pendingClips[b].WindowDone();
                }
            }
        }

        return [.. pendingClips.Select(Finish)];
    }

    private ClipActivations Finish(PendingClip clip)
    {
        var threshold = _options.SilenceThresholdDb;
        var results = new TapActivations[_taps.Length];
        var masked = 0;
        for (var t = 0; t < _taps.Length; t++)
        {
            var width = _widths[_taps[t]];
            var (data, frames, dropped) = clip.Build(t, width, threshold);
            if (t == 0)
            {
                masked = dropped;
            }

            if (frames > 0 && !float.IsFinite(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(data)))
            {
                var frame = Array.FindIndex(data, v => !float.IsFinite(v)) / width;
                if (_options.NonFinite == NonFiniteActivationPolicy.Throw)
                {
                    throw new NonFiniteActivationException(_taps[t], clip.Clip.Id, frame);
                }

                return new ClipActivations(
                    clip.Clip.Id,
                    ClipExtractionStatus.NonFinite,
                    [.. _taps.Select(tap => new TapActivations(tap, [], 0, _widths[tap]))],
                    0,
                    $"tap '{_taps[t]}' produced NaN or infinity at frame {frame}");
            }

            results[t] = new TapActivations(_taps[t], data, frames, width);
        }

        if (results[0].FrameCount == 0)
        {
            var message = clip.WindowCount == 0
                ? $"{clip.Clip.Samples.Length} samples are shorter than one window ({_unitsPerWindow * _samplesPerUnit} samples at {SampleRate} Hz)"
                : $"all {masked} frames were below the silence threshold";
            return new ClipActivations(clip.Clip.Id, ClipExtractionStatus.Empty, results, masked, message);
        }

        return new ClipActivations(clip.Clip.Id, ClipExtractionStatus.Ok, results, masked, null);
    }

    private readonly record struct WindowPlan(int Start, int Valid, bool Loop);

    /// <summary>A clip whose windows are in flight: per-tap frame buffers and each frame's sample span.</summary>
    private sealed class PendingClip
    {
        private readonly List<float>[] _data;
        private readonly List<(long Start, long Length, bool Loop)>[] _spans;
        private int _windowsDone;

        public PendingClip(AudioClip clip, int windowCount, int taps)
        {
            Clip = clip;
            WindowCount = windowCount;
            _data = [.. Enumerable.Range(0, taps).Select(_ => new List<float>())];
            _spans = [.. Enumerable.Range(0, taps).Select(_ => new List<(long, long, bool)>())];
        }

        public AudioClip Clip { get; }

        public int WindowCount { get; }

        public bool IsComplete => _windowsDone >= WindowCount;

        public void WindowDone() => _windowsDone++;

        public void Append(int tap, TapOutputDecoder decoder, ReadOnlySpan<float> tensor, int entry, int keep, int frames, long sampleStart, long sampleLength, bool loop)
        {
            var width = decoder.Width;
            var list = _data[tap];
            var offset = list.Count;
            System.Runtime.InteropServices.CollectionsMarshal.SetCount(list, offset + (keep * width));
            var destination = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)[offset..];
            decoder.Copy(tensor, entry, 0, keep, destination);
            for (var f = 0; f < keep; f++)
            {
                var start = sampleStart + (sampleLength * f / frames);
                var end = sampleStart + (sampleLength * (f + 1) / frames);
                _spans[tap].Add((start, end - start, loop));
            }
        }

        public (float[] Data, int Frames, int Dropped) Build(int tap, int width, double? thresholdDb)
        {
            var list = _data[tap];
            var frames = width == 0 ? 0 : list.Count / width;
            if (thresholdDb is not { } threshold || frames == 0)
            {
                return ([.. list], frames, 0);
            }

            var samples = Clip.Samples.Span;
            var kept = new List<float>(list.Count);
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
            var dropped = 0;
            for (var f = 0; f < frames; f++)
            {
                var (start, length, loop) = _spans[tap][f];
                double energy = 0;
                long n = 0;
                for (var i = start; i < start + length; i++)
                {
                    var index = loop ? i % samples.Length : i;
                    if (index < samples.Length)
                    {
                        energy += samples[(int)index] * (double)samples[(int)index];
                        n++;
                    }
                }

                var db = n == 0 ? double.NegativeInfinity : 10 * Math.Log10((energy / n) + 1e-20);
                if (db < threshold)
                {
                    dropped++;
                    continue;
                }

                kept.AddRange(all.Slice(f * width, width));
            }

            return ([.. kept], frames - dropped, dropped);
        }
    }

    /// <summary>Input, state and constant buffers of one lockstep group of recurrent clips.</summary>
    private sealed class RecurrentBatch
    {
        private readonly ActivationExtractor _owner;
        private readonly int _batch;
        private readonly float[][] _state;
        private readonly long[][] _stateShapes;

        public RecurrentBatch(ActivationExtractor owner, int batch)
        {
            _owner = owner;
            _batch = batch;
            var front = owner._description.FrontEnd;
            InputShape = owner.InputShape(batch);
            InputBuffer = new float[owner.InputValuesPerWindow() * batch];
            _stateShapes = [.. front.State.Select(s => s.Shape.Select(d => d < 0 ? (long)batch : d).ToArray())];
            _state = [.. _stateShapes.Select(shape => new float[shape.Aggregate(1L, (a, b) => a * b)])];
        }

        public long[] InputShape { get; }

        public float[] InputBuffer { get; }

        public void SetChunk(int entry, ReadOnlySpan<float> row) => row.CopyTo(InputBuffer.AsSpan(entry * row.Length, row.Length));

        public IDisposableReadOnlyCollection<OrtValue> Run()
        {
            var front = _owner._description.FrontEnd;
            var disposables = new List<OrtValue>();
            try
            {
                var names = new List<string> { front.Input };
                var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(InputBuffer, InputShape) };
                disposables.Add(values[0]);
                for (var s = 0; s < front.State.Length; s++)
                {
                    var value = OrtValue.CreateTensorValueFromMemory(_state[s], _stateShapes[s]);
                    disposables.Add(value);
                    names.Add(front.State[s].Input);
                    values.Add(value);
                }

                foreach (var (name, value) in _owner._constants)
                {
                    names.Add(name);
                    values.Add(value);
                }

                _owner.Recorder?.RecordRecurrentStep(InputBuffer, InputShape);
                return _owner._session.Run(_owner._runOptions, names, values, _owner._runOutputs);
            }
            finally
            {
                foreach (var value in disposables)
                {
                    value.Dispose();
                }
            }
        }

        public void CarryState(IReadOnlyList<OrtValue> outputs)
        {
            var front = _owner._description.FrontEnd;
            for (var s = 0; s < front.State.Length; s++)
            {
                var value = outputs[Array.IndexOf(_owner._runOutputs, front.State[s].Output)];
                var data = value.GetTensorDataAsSpan<float>();
                if (data.Length != _state[s].Length)
                {
                    throw new ModelInputMismatchException(
                        _owner._modelPath, front.State[s].Output, $"{_state[s].Length} state values for a batch of {_batch}", $"{data.Length} values");
                }

                data.CopyTo(_state[s]);
            }
        }
    }
}
