using ArdMl.Activations;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Steering;

/// <summary>
/// A steering model for a described model with a <see cref="FrontEndKind.RecurrentChunks"/> front end (for example
/// Silero VAD, models/silero-vad.json). The clip is cut into chunks of <see cref="FrontEndDescription.WindowSamples"/>
/// samples (the last one zero-padded), each preceded by the previous <see cref="FrontEndDescription.ContextSamples"/>
/// samples (zeros before the first). Every described state tensor starts at zero and is carried from chunk to chunk —
/// in a steered run the steered state, so steering chunk c changes chunks c, c + 1, … and leaves earlier ones untouched.
/// Described constants are fed to every chunk. Tap frames are numbered across the clip; the output vector is the named
/// output of every chunk, concatenated in chunk order (Silero: one speech probability per 32 ms chunk).
/// </summary>
public sealed class RecurrentChunkSteeringModel : ISteeringModel, IDisposable
{
    private readonly SplitModelSession _session;
    private readonly TapAxisSpec _axes;
    private readonly FrontEndDescription _frontEnd;
    private readonly string _outputName;
    private readonly long[] _inputShape;
    private readonly List<(StateTensorDescription Description, long[] Shape, int Length)> _states = [];
    private readonly List<(string Name, OnnxTensorData Value)> _constants = [];

    /// <summary>Splits the described model at <paramref name="tap"/> and opens it.</summary>
    /// <param name="description">The description (its front end must be <see cref="FrontEndKind.RecurrentChunks"/>).</param>
    /// <param name="modelPath">The ONNX model file.</param>
    /// <param name="tap">The value to steer.</param>
    /// <param name="outputName">The per-chunk output that forms the clip's output vector.</param>
    /// <param name="axes">How the tap maps to frames × d.</param>
    /// <param name="options">ONNX Runtime session options (default: ONNX Runtime's defaults, warnings not logged).</param>
    /// <exception cref="ArgumentException">The description does not fit the model (names the missing input or output).</exception>
    public RecurrentChunkSteeringModel(
        ModelDescription description, string modelPath, string tap, string outputName, TapAxisSpec axes, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        ArgumentNullException.ThrowIfNull(axes);
        _frontEnd = description.FrontEnd;
        if (_frontEnd.Kind != FrontEndKind.RecurrentChunks)
        {
            throw new ArgumentException($"{description.Name}: the front end is '{_frontEnd.Kind}', not 'recurrentChunks'.", nameof(description));
        }

        if (_frontEnd.WindowSamples <= 0 || _frontEnd.ContextSamples < 0)
        {
            throw new ArgumentException(
                $"{description.Name}: frontEnd.windowSamples must be positive and frontEnd.contextSamples non-negative; "
                + $"got {_frontEnd.WindowSamples} and {_frontEnd.ContextSamples}.",
                nameof(description));
        }

        int windowLength = _frontEnd.ContextSamples + _frontEnd.WindowSamples;
        _inputShape = BatchOfOne(_frontEnd.InputShape.Length == 0 ? [-1, windowLength] : _frontEnd.InputShape);
        if (_inputShape.Aggregate(1L, (a, b) => a * b) != windowLength)
        {
            throw new ArgumentException(
                $"{description.Name}: frontEnd.inputShape [{string.Join(", ", _frontEnd.InputShape)}] does not hold one chunk of "
                + $"{_frontEnd.ContextSamples} + {_frontEnd.WindowSamples} samples.",
                nameof(description));
        }

        var split = OnnxModelSplitter.Split(modelPath, tap);
        RequireInput(split, description, _frontEnd.Input, "frontEnd.input");
        foreach (var state in _frontEnd.State)
        {
            RequireInput(split, description, state.Input, "frontEnd.state.input");
            RequireOutput(split, description, state.Output, "frontEnd.state.output");
            var shape = BatchOfOne(state.Shape);
            _states.Add((state, shape, checked((int)shape.Aggregate(1L, (a, b) => a * b))));
        }

        foreach (var constant in _frontEnd.Constants)
        {
            RequireInput(split, description, constant.Name, "frontEnd.constants");
            _constants.Add((constant.Name, CreateConstant(constant)));
        }

        RequireOutput(split, description, outputName, "the steering output");
        _outputName = outputName;
        _axes = axes;
        Name = description.Name;
        using var quiet = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new SplitModelSession(split, options ?? quiet);
        try
        {
            TapWidth = RunChunks(new float[_frontEnd.WindowSamples], null, null).Width;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The described model's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public int TapWidth { get; }

    /// <inheritdoc />
    public string OutputDescription => $"'{_outputName}' per {_frontEnd.WindowSamples}-sample chunk";

    /// <summary>The split model.</summary>
    public OnnxModelSplit Split => _session.Split;

    /// <inheritdoc />
    public float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention) =>
        RunChunks(samples, intervention, null).Outputs;

    /// <inheritdoc />
    public float[] CollectTapFrames(ReadOnlySpan<float> samples)
    {
        var frames = new List<float>();
        RunChunks(samples, null, frames);
        return [.. frames];
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private (float[] Outputs, int Width) RunChunks(ReadOnlySpan<float> samples, IActivationIntervention? intervention, List<float>? tapFrames)
    {
        int chunkSamples = _frontEnd.WindowSamples;
        int context = _frontEnd.ContextSamples;
        int chunks = Math.Max(1, (samples.Length + chunkSamples - 1) / chunkSamples);
        var outputs = new List<float>(chunks);
        var states = _states.Select(s => new float[s.Length]).ToArray();
        var window = new float[context + chunkSamples];
        int width = 0;
        int firstFrame = 0;
        var constants = _constants.Select(c => (c.Name, Value: c.Value.ToOrtValue())).ToList();
        try
        {
            for (int c = 0; c < chunks; c++)
            {
                Array.Copy(window, chunkSamples, window, 0, context);
                Array.Clear(window, context, chunkSamples);
                int start = c * chunkSamples;
                var chunk = samples.Slice(start, Math.Min(chunkSamples, samples.Length - start));
                for (int i = 0; i < chunk.Length; i++)
                {
                    window[context + i] = chunk[i] * _frontEnd.InputScale;
                }

                var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
                var owned = new List<OrtValue>();
                try
                {
                    owned.Add(inputs[_frontEnd.Input] = OrtValue.CreateTensorValueFromMemory(window, _inputShape));
                    for (int s = 0; s < _states.Count; s++)
                    {
                        owned.Add(inputs[_states[s].Description.Input] = OrtValue.CreateTensorValueFromMemory(states[s], _states[s].Shape));
                    }

                    foreach (var (name, value) in constants)
                    {
                        inputs[name] = value;
                    }

                    using var forward = _session.RunPrefix(inputs);
                    var (layout, replacement) = _session.InterveneAtTap(forward, _axes, intervention, firstFrame, tapFrames);
                    width = layout.Width;
                    firstFrame += layout.FrameCount;
                    var result = _session.RunSuffix(forward, replacement);
                    outputs.AddRange(result[_outputName].AsSingles());
                    for (int s = 0; s < _states.Count; s++)
                    {
                        var next = result[_states[s].Description.Output].AsSingles();
                        if (next.Length != _states[s].Length)
                        {
                            throw new InvalidOperationException(
                                $"{Name}: state output '{_states[s].Description.Output}' has {next.Length} values; frontEnd.state describes {_states[s].Length}.");
                        }

                        states[s] = next;
                    }
                }
                finally
                {
                    owned.ForEach(v => v.Dispose());
                }
            }
        }
        finally
        {
            constants.ForEach(c => c.Value.Dispose());
        }

        return ([.. outputs], width);
    }

    private static long[] BatchOfOne(int[] shape) => [.. shape.Select(d => d < 0 ? 1L : d)];

    private static OnnxTensorData CreateConstant(ConstantInputDescription constant)
    {
        long[] shape = [.. constant.Shape.Select(d => (long)d)];
        return constant.Type switch
        {
            "int64" => OnnxTensorData.FromInt64(constant.Name, [.. constant.Values.Select(v => (long)v)], shape),
            "int32" => OnnxTensorData.FromInt32(constant.Name, [.. constant.Values.Select(v => (int)v)], shape),
            "float32" => OnnxTensorData.FromSingles(constant.Name, [.. constant.Values.Select(v => (float)v)], shape),
            _ => throw new ArgumentException($"Constant input '{constant.Name}': type '{constant.Type}' is not float32, int64 or int32."),
        };
    }

    private static void RequireInput(OnnxModelSplit split, ModelDescription description, string name, string field)
    {
        if (!split.OriginalInputs.Contains(name))
        {
            throw new ArgumentException(
                $"{description.Name}: {field} names the input '{name}', but the model's inputs are {string.Join(", ", split.OriginalInputs)}.");
        }
    }

    private static void RequireOutput(OnnxModelSplit split, ModelDescription description, string name, string field)
    {
        if (!split.OriginalOutputs.Contains(name))
        {
            throw new ArgumentException(
                $"{description.Name}: {field} names the output '{name}', but the model's outputs are {string.Join(", ", split.OriginalOutputs)}.");
        }
    }
}
