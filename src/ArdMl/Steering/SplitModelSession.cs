using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Steering;

/// <summary>
/// Runs a split model with ONNX Runtime: the prefix once per input (<see cref="RunPrefix"/>), then the suffix with the
/// tap activations as they were or replaced (<see cref="RunSuffix"/>). Composing the two reproduces the original
/// model's outputs. One session pair per instance; ONNX Runtime sessions are thread-safe for <c>Run</c>.
/// </summary>
public sealed class SplitModelSession : IDisposable
{
    private readonly InferenceSession _prefix;
    private readonly InferenceSession _suffix;

    /// <summary>Creates ONNX Runtime sessions for both halves of <paramref name="split"/>.</summary>
    /// <param name="split">The split model.</param>
    /// <param name="options">Session options for both halves (defaults when null).</param>
    public SplitModelSession(OnnxModelSplit split, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        Split = split;
        _prefix = options is null ? new InferenceSession(split.PrefixBytes()) : new InferenceSession(split.PrefixBytes(), options);
        try
        {
            _suffix = options is null ? new InferenceSession(split.SuffixBytes()) : new InferenceSession(split.SuffixBytes(), options);
        }
        catch
        {
            _prefix.Dispose();
            throw;
        }

        var tapType = _prefix.OutputMetadata[split.TapName].ElementDataType;
        if (tapType != TensorElementType.Float)
        {
            Dispose();
            throw new NotSupportedException($"The tap '{split.TapName}' has element type {tapType}; only Float taps can be steered.");
        }
    }

    /// <summary>The split being run.</summary>
    public OnnxModelSplit Split { get; }

    /// <summary>Runs the prefix on the original model's inputs (only those the prefix or suffix read are used).</summary>
    /// <param name="inputs">Original input name → value. The values must stay alive until the returned object is disposed.</param>
    /// <exception cref="ArgumentException">An input the model needs is missing.</exception>
    public TapForward RunPrefix(IReadOnlyDictionary<string, OrtValue> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var prefixInputs = Select(inputs, _prefix.InputMetadata.Keys, "prefix");
        var suffixOriginal = Select(inputs, Split.SuffixOriginalInputs, "suffix");
        var names = Split.PrefixOutputs;
        using var runOptions = new RunOptions();
        var outputs = _prefix.Run(runOptions, prefixInputs, names);
        try
        {
            var byName = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                byName[names[i]] = outputs[i];
            }

            var tap = byName[Split.TapName];
            var shape = tap.GetTensorTypeAndShape().Shape;
            var crossing = Split.CrossingValues.ToDictionary(c => c, c => byName[c], StringComparer.Ordinal);
            var passThrough = Split.PassThroughOutputs.ToDictionary(p => p, p => OnnxTensorData.Copy(p, byName[p]), StringComparer.Ordinal);
            return new TapForward(tap.GetTensorDataAsSpan<float>().ToArray(), shape, crossing, suffixOriginal, passThrough, outputs);
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finishes the forward pass from <paramref name="forward"/>, with the tap replaced by
    /// <paramref name="tapValues"/> (same shape, row-major) or unchanged when null. Returns every original output,
    /// in the original order.
    /// </summary>
    public IReadOnlyDictionary<string, OnnxTensorData> RunSuffix(TapForward forward, float[]? tapValues = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var values = tapValues ?? forward.Tap;
        if (values.Length != forward.Tap.Length)
        {
            throw new ArgumentException(
                $"The replacement for tap '{Split.TapName}' has {values.Length} values; its shape [{string.Join(", ", forward.TapShape)}] needs {forward.Tap.Length}.",
                nameof(tapValues));
        }

        using var tap = OrtValue.CreateTensorValueFromMemory(values, forward.TapShape);
        var feeds = new Dictionary<string, OrtValue>(StringComparer.Ordinal) { [Split.TapName] = tap };
        foreach (var (name, value) in forward.Crossing)
        {
            feeds[name] = value;
        }

        foreach (var (name, value) in forward.OriginalInputs)
        {
            feeds[name] = value;
        }

        using var runOptions = new RunOptions();
        using var outputs = _suffix.Run(runOptions, feeds, Split.SuffixOutputs);
        var computed = new Dictionary<string, OnnxTensorData>(StringComparer.Ordinal);
        for (int i = 0; i < Split.SuffixOutputs.Count; i++)
        {
            computed[Split.SuffixOutputs[i]] = OnnxTensorData.Copy(Split.SuffixOutputs[i], outputs[i]);
        }

        var result = new Dictionary<string, OnnxTensorData>(StringComparer.Ordinal);
        foreach (var name in Split.OriginalOutputs)
        {
            result[name] = computed.TryGetValue(name, out var c) ? c : forward.PassThrough[name];
        }

        return result;
    }

    /// <summary>
    /// Reads <paramref name="forward"/>'s tap as frames × d under <paramref name="axes"/>, appends the frames to
    /// <paramref name="tapFrames"/> when given, and returns the layout with the tap tensor edited by
    /// <paramref name="intervention"/> (null replacement when there is no intervention).
    /// </summary>
    /// <param name="forward">A prefix run of this session.</param>
    /// <param name="axes">How the tap maps to frames × d.</param>
    /// <param name="intervention">The edit to apply, or null.</param>
    /// <param name="firstFrame">The clip-level index of the tap's first frame.</param>
    /// <param name="tapFrames">Receives the unedited frames, or null.</param>
    /// <exception cref="ArgumentException">The intervention's width differs from the tap's.</exception>
    internal (TapFrameLayout Layout, float[]? Replacement) InterveneAtTap(
        TapForward forward, TapAxisSpec axes, IActivationIntervention? intervention, int firstFrame, List<float>? tapFrames)
    {
        var layout = axes.Resolve(forward.TapShape);
        if (intervention is null && tapFrames is null)
        {
            return (layout, null);
        }

        var frames = layout.ToFrames(forward.Tap);
        tapFrames?.AddRange(frames);
        if (intervention is null)
        {
            return (layout, null);
        }

        if (intervention.Width != layout.Width)
        {
            throw new ArgumentException(
                $"The intervention expects width {intervention.Width}; tap '{Split.TapName}' has width {layout.Width} under '{axes}'.",
                nameof(intervention));
        }

        return (layout, layout.ToTensor(intervention.Apply(frames, firstFrame)));
    }

    private static Dictionary<string, OrtValue> Select(
        IReadOnlyDictionary<string, OrtValue> inputs, IEnumerable<string> names, string half)
    {
        var selected = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!inputs.TryGetValue(name, out var value))
            {
                throw new ArgumentException(
                    $"The model's {half} needs the input '{name}'; given: {string.Join(", ", inputs.Keys)}.", nameof(inputs));
            }

            selected[name] = value;
        }

        return selected;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _prefix.Dispose();
        _suffix?.Dispose();
    }
}
