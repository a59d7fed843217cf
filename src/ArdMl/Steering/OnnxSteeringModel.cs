using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Steering;

/// <summary>
/// A steering model for ONNX models that take a whole clip in one forward pass (for example basic-pitch's 2 s window,
/// or openWakeWord's embedding of mel windows): a caller-supplied function turns the clip's samples into the model's
/// inputs, and the clip's output vector is one named output, flattened row-major.
/// </summary>
public sealed class OnnxSteeringModel : ISteeringModel, IDisposable
{
    private readonly SplitModelSession _session;
    private readonly Func<float[], IReadOnlyList<OnnxTensorData>> _inputs;
    private readonly string _outputName;
    private readonly TapAxisSpec _axes;
    private int _lastWidth;

    /// <summary>Opens a split model.</summary>
    /// <param name="split">The model split at its tap.</param>
    /// <param name="inputs">Builds the original model's inputs from a clip's samples.</param>
    /// <param name="outputName">The original output that forms the clip's output vector.</param>
    /// <param name="axes">How the tap maps to frames × d.</param>
    /// <param name="probeSamples">A clip used once to learn the tap width.</param>
    /// <param name="options">ONNX Runtime session options.</param>
    public OnnxSteeringModel(
        OnnxModelSplit split,
        Func<float[], IReadOnlyList<OnnxTensorData>> inputs,
        string outputName,
        TapAxisSpec axes,
        float[] probeSamples,
        SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(probeSamples);
        if (!split.OriginalOutputs.Contains(outputName))
        {
            throw new ArgumentException(
                $"The model has no output '{outputName}'; its outputs are {string.Join(", ", split.OriginalOutputs)}.", nameof(outputName));
        }

        _session = new SplitModelSession(split, options);
        _inputs = inputs;
        _outputName = outputName;
        _axes = axes;
        CollectTapFrames(probeSamples);
        TapWidth = _lastWidth;
    }

    /// <inheritdoc />
    public int TapWidth { get; }

    /// <inheritdoc />
    public string OutputDescription => $"output '{_outputName}', flattened";

    /// <inheritdoc />
    public float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention) =>
        Forward(samples.ToArray(), intervention, null);

    /// <inheritdoc />
    public float[] CollectTapFrames(ReadOnlySpan<float> samples)
    {
        var frames = new List<float>();
        Forward(samples.ToArray(), null, frames);
        return [.. frames];
    }

    private float[] Forward(float[] samples, IActivationIntervention? intervention, List<float>? tapFrames)
    {
        var tensors = _inputs(samples);
        var values = tensors.Select(t => t.ToOrtValue()).ToList();
        try
        {
            var feeds = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
            for (int i = 0; i < tensors.Count; i++)
            {
                feeds[tensors[i].Name] = values[i];
            }

            using var forward = _session.RunPrefix(feeds);
            var (layout, replacement) = _session.InterveneAtTap(forward, _axes, intervention, 0, tapFrames);
            _lastWidth = layout.Width;
            return _session.RunSuffix(forward, replacement)[_outputName].AsSingles();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
