using System.Security.Cryptography;
using ArdMl.Audio;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Activations;

/// <summary>
/// Runs an ONNX audio model described by a <see cref="ModelDescription"/> over clips and returns the activations of
/// one or more internal values ("taps") as frames × d matrices per clip. Windows of many clips are batched into one
/// model run; recurrent chunked models run many clips in lockstep with their state carried from chunk to chunk. With
/// <see cref="ActivationExtractorOptions.Workers"/> above one, workers with their own ONNX Runtime sessions load,
/// prepare and run clips in parallel; results come in input order and are identical for every worker count.
/// </summary>
/// <remarks>
/// A clip's frames are the frames of its windows (or chunks) in order. Frames of a zero-padded final window that lie in
/// the padding are removed (a window keeps ceil(frames × valid share) of its frames). The front end
/// (<see cref="IExtractionFrontEnd"/>) turns clips into model inputs; <see cref="WindowedExtraction"/> and
/// <see cref="RecurrentExtraction"/> batch and run them. Instances are not thread-safe; create one per thread, or
/// share one and call it from one thread at a time (its workers are its own).
/// </remarks>
public sealed class ActivationExtractor : IDisposable
{
    private readonly ModelDescription _description;
    private readonly ActivationExtractorOptions _options;
    private readonly IExtractionFrontEnd _frontEnd;
    private readonly List<ExtractionSession> _sessions = [];
    private readonly string[] _taps;
    private readonly string[] _runOutputs;
    private readonly HashSet<string> _inputTaps;
    private readonly Dictionary<string, int> _widths = new(StringComparer.Ordinal);
    private readonly List<(string Name, OrtValue Value)> _constants = [];
    private readonly long[] _inputShapeTemplate;
    private readonly string _modelPath;
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

        if (options.Workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "Workers must be at least 1.");
        }

        _modelPath = modelName;
        MelModelName = melModelName;
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
        if (front.Kind == FrontEndKind.MelThenWindows && melModelBytes is null)
        {
            throw new ArgumentException($"Description '{description.Name}' needs a mel model (frontEnd.melModel).");
        }

        using (var sessionOptions = ExtractionSession.CreateOptions(SessionThreadOptions(), out var provider, out var notice))
        {
            ExecutionProviderInUse = provider;
            ExecutionNotice = notice;
            _sessions.Add(new ExtractionSession(this, sessionOptions));
        }

        _inputShapeTemplate = [.. front.InputShape.Select(d => (long)d)];
        _frontEnd = IExtractionFrontEnd.For(front);
        try
        {
            _sessions[0].CheckSignature();
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

    /// <summary>Full path of the model file (or the name given to in-memory bytes).</summary>
    public string ModelPath => _modelPath;

    /// <summary>The execution provider actually used ("CPU" or "CUDA").</summary>
    public string ExecutionProviderInUse { get; }

    /// <summary>Why a requested provider is not in use (for example CUDA missing), or null.</summary>
    public string? ExecutionNotice { get; }

    /// <summary>The model bytes handed to ONNX Runtime (taps added to graph.output).</summary>
    internal byte[] EditedModelBytes { get; }

    /// <summary>Name of the mel model in messages (MelThenWindows), else null.</summary>
    internal string? MelModelName { get; }

    /// <summary>The options in use.</summary>
    internal ActivationExtractorOptions Options => _options;

    /// <summary>Names of the outputs every model run requests.</summary>
    internal IReadOnlyList<string> RunOutputs => _runOutputs;

    /// <summary>Constant inputs fed to every run (read-only values shared by all workers).</summary>
    internal IReadOnlyList<(string Name, OrtValue Value)> Constants => _constants;

    /// <summary>Model input values per window (or per recurrent batch entry).</summary>
    internal int InputValuesPerWindow => (int)_inputShapeTemplate.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// When set, receives a copy of every model input the extractor builds (the benchmarks replay them through bare
    /// ONNX Runtime calls); extraction then runs on one worker.
    /// </summary>
    internal IModelInputRecorder? Recorder { get; set; }

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

    /// <summary>Extracts every tap for one clip (on the calling thread).</summary>
    public ClipActivations ExtractClip(AudioClip clip)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Pipeline([clip], static c => c, null, workerCount: 1).Single();
    }

    /// <summary>Extracts many clips, batching windows across clips; returns results in input order.</summary>
    public IReadOnlyList<ClipActivations> ExtractBatch(IReadOnlyList<AudioClip> clips, IProgress<int>? progress = null) =>
        [.. ExtractMany(clips, progress)];

    /// <summary>
    /// Streams results in input order as clips complete, holding at most a bounded window of clips and batches in
    /// memory (about twice <see cref="ActivationExtractorOptions.Workers"/> of each, plus the clips whose windows
    /// share a batch).
    /// </summary>
    /// <param name="clips">The clips.</param>
    /// <param name="progress">Receives the number of clips completed so far.</param>
    public IEnumerable<ClipActivations> ExtractMany(IEnumerable<AudioClip> clips, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        return ExtractMany(clips, static c => c, progress);
    }

    /// <summary>
    /// Loads and extracts many clips: <paramref name="load"/> runs on the workers (so decoding is parallel too) and
    /// returns null for a source it cannot load, which is skipped. Results come in source order, identical for every
    /// worker count.
    /// </summary>
    /// <typeparam name="TSource">What identifies a clip to load (a path, say).</typeparam>
    /// <param name="sources">The clips to load, in order.</param>
    /// <param name="load">Loads a clip at <see cref="InputSampleRate"/>, or returns null to skip it; called from worker threads.</param>
    /// <param name="progress">Receives the number of clips completed so far.</param>
    public IEnumerable<ClipActivations> ExtractMany<TSource>(IEnumerable<TSource> sources, Func<TSource, AudioClip?> load, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(load);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Pipeline(sources, load, progress, Recorder is null ? _options.Workers : 1);
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

        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }

    /// <summary>Creates session options like the extractor's (for a baseline session).</summary>
    internal SessionOptions CreateSessionOptions() => ExtractionSession.CreateOptions(SessionThreadOptions(), out _, out _);

    /// <summary>Whether a tap is the model's input (its values are the input buffer).</summary>
    internal bool IsInputTap(string tap) => _inputTaps.Contains(tap);

    /// <summary>Position of a value in <see cref="RunOutputs"/>.</summary>
    internal int RunOutputIndex(string output) => Array.IndexOf(_runOutputs, output);

    /// <summary>A tap's width once probed, else null.</summary>
    internal int? KnownWidth(string tap) => _widths.TryGetValue(tap, out var width) ? width : null;

    /// <summary>The model input shape for a batch.</summary>
    internal long[] InputShape(int batch) => [.. _inputShapeTemplate.Select(d => d < 0 ? batch : d)];

    /// <summary>
    /// Builds a finished clip's result from its frames: silence masking, the NaN/Inf policy and the empty-clip message.
    /// Thread-safe (reads only the options and probed widths).
    /// </summary>
    internal ClipActivations Finish(PendingClipActivations clip)
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
                ? $"{clip.Clip.Samples.Length} samples are shorter than one window ({_frontEnd.UnitsPerWindow * _frontEnd.SamplesPerUnit} samples at {SampleRate} Hz)"
                : $"all {masked} frames were below the silence threshold";
            return new ClipActivations(clip.Clip.Id, ClipExtractionStatus.Empty, results, masked, message);
        }

        return new ClipActivations(clip.Clip.Id, ClipExtractionStatus.Ok, results, masked, null);
    }

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

    /// <summary>
    /// The options each session is created with: with several workers and no intra-op thread count given, the cores
    /// are shared out among the workers' sessions.
    /// </summary>
    private ActivationExtractorOptions SessionThreadOptions() =>
        _options.Workers > 1 && _options.IntraOpThreads == 0
            ? _options.WithWorkers(_options.Workers, Math.Max(1, Environment.ProcessorCount / _options.Workers))
            : _options;

    private IEnumerable<ClipActivations> Pipeline<TSource>(IEnumerable<TSource> sources, Func<TSource, AudioClip?> load, IProgress<int>? progress, int workerCount)
    {
        var workers = Workers(workerCount);
        AudioClip? Loaded(TSource source) =>
            load(source) is not { } clip ? null
            : _options.InputSampleRate is { } rate && rate != SampleRate ? clip with { Samples = AudioResampler.Resample(clip.Samples.Span, rate, SampleRate) }
            : clip;

        if (_frontEnd is RecurrentChunksFrontEnd recurrent)
        {
            var clips = workers.Map(sources, (_, source) => Loaded(source)).OfType<AudioClip>();
            return new RecurrentExtraction(this, recurrent).Run(clips, workers, progress);
        }

        var prepared = workers.Map(sources, (session, source) => Loaded(source) is { } clip ? _frontEnd.Prepare(clip, session) : null).OfType<PreparedClip>();
        return new WindowedExtraction(this, _frontEnd).Run(prepared, workers, _sessions[0].Decoders, progress);
    }

    /// <summary>The first <paramref name="count"/> sessions as workers, opening the missing ones.</summary>
    private OrderedWorkers<ExtractionSession> Workers(int count)
    {
        if (_sessions.Count < count)
        {
            using var sessionOptions = ExtractionSession.CreateOptions(SessionThreadOptions(), out _, out _);
            while (_sessions.Count < count)
            {
                _sessions.Add(new ExtractionSession(this, sessionOptions));
            }
        }

        return new OrderedWorkers<ExtractionSession>(_sessions.GetRange(0, count), capacity: 2 * count);
    }

    private void Probe()
    {
        var session = _sessions[0];
        if (_frontEnd is RecurrentChunksFrontEnd recurrent)
        {
            using var outputs = new RecurrentExtraction(this, recurrent).Probe(session, out var recurrentShape);
            RegisterWidths(session, outputs, recurrentShape);
            return;
        }

        var perWindow = InputValuesPerWindow;
        var buffer = new AlignedTensorBuffer(perWindow);
        var silent = new PreparedClip(new AudioClip("probe", ReadOnlyMemory<float>.Empty), new float[_frontEnd.UnitsPerWindow * _frontEnd.UnitWidth], _frontEnd.UnitsPerWindow, []);
        _frontEnd.FillInput(silent, new WindowPlan(0, _frontEnd.UnitsPerWindow, Loop: false), buffer.Span);
        var shape = InputShape(1);
        using var results = session.RunWindows(buffer, shape);
        RegisterWidths(session, results, shape);
    }

    private void RegisterWidths(ExtractionSession session, IReadOnlyList<OrtValue> outputs, long[] inputShape)
    {
        foreach (var tap in _taps)
        {
            _widths[tap] = session.Decoders.For(tap, outputs, inputShape, 1).Width;
        }
    }
}
