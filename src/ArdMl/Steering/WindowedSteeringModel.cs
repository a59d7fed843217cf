using ArdMl.Activations;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Steering;

/// <summary>
/// A steering model for a described model with a <see cref="FrontEndKind.Windows"/> front end: the clip is cut into
/// windows (hop and tail as described, short clips zero-padded to one window), all windows run as one batch, and the
/// clip's output vector is the named output averaged over its windows (for example one probability per class). Tap
/// frames are numbered window by window across the clip.
/// </summary>
public sealed class WindowedSteeringModel : ISteeringModel, IDisposable
{
    private readonly OnnxSteeringModel _model;
    private readonly FrontEndDescription _frontEnd;
    private readonly string _name;

    /// <summary>Splits the model at <paramref name="tap"/> and opens it.</summary>
    /// <param name="description">The description (its front end must be <see cref="FrontEndKind.Windows"/>).</param>
    /// <param name="modelPath">The ONNX model file.</param>
    /// <param name="tap">The value to steer.</param>
    /// <param name="outputName">The output averaged into the clip's output vector.</param>
    /// <param name="axes">How the tap maps to frames × d.</param>
    public WindowedSteeringModel(ModelDescription description, string modelPath, string tap, string outputName, TapAxisSpec axes)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (description.FrontEnd.Kind != FrontEndKind.Windows)
        {
            throw new ArgumentException($"{description.Name}: the front end is '{description.FrontEnd.Kind}', not 'windows'.", nameof(description));
        }

        if (description.FrontEnd.WindowSamples <= 0)
        {
            throw new ArgumentException($"{description.Name}: windowSamples must be positive.", nameof(description));
        }

        _frontEnd = description.FrontEnd;
        _name = description.Name;
        var split = OnnxModelSplitter.Split(modelPath, tap);
        using var quiet = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _model = new OnnxSteeringModel(split, Inputs, outputName, axes, new float[_frontEnd.WindowSamples], quiet);
    }

    /// <inheritdoc />
    public int TapWidth => _model.TapWidth;

    /// <inheritdoc />
    public string OutputDescription => $"{_model.OutputDescription}, averaged over {_frontEnd.WindowSamples}-sample windows";

    /// <summary>The number of windows a clip of <paramref name="sampleCount"/> samples is cut into.</summary>
    public int WindowCount(int sampleCount)
    {
        int window = _frontEnd.WindowSamples;
        int hop = _frontEnd.HopSamples ?? window;
        if (sampleCount <= window)
        {
            return 1;
        }

        int rest = sampleCount - window;
        return 1 + (_frontEnd.Tail == ClipTailPolicy.Pad ? (rest + hop - 1) / hop : rest / hop);
    }

    /// <inheritdoc />
    public float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention)
    {
        int windows = WindowCount(samples.Length);
        var flat = _model.Run(samples, intervention);
        if (flat.Length % windows != 0)
        {
            throw new InvalidOperationException($"{_name}: the output has {flat.Length} values for {windows} windows; expected a multiple.");
        }

        int width = flat.Length / windows;
        var mean = new float[width];
        for (int w = 0; w < windows; w++)
        {
            for (int j = 0; j < width; j++)
            {
                mean[j] += flat[(w * width) + j] / windows;
            }
        }

        return mean;
    }

    /// <inheritdoc />
    public float[] CollectTapFrames(ReadOnlySpan<float> samples) => _model.CollectTapFrames(samples);

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();

    private List<OnnxTensorData> Inputs(float[] samples)
    {
        int window = _frontEnd.WindowSamples;
        int hop = _frontEnd.HopSamples ?? window;
        int windows = WindowCount(samples.Length);
        var data = new float[windows * window];
        for (int w = 0; w < windows; w++)
        {
            int start = w * hop;
            int count = Math.Clamp(samples.Length - start, 0, window);
            for (int i = 0; i < count; i++)
            {
                data[(w * window) + i] = samples[start + i] * _frontEnd.InputScale;
            }
        }

        var shape = _frontEnd.InputShape.Length == 0 ? [windows, window] : _frontEnd.InputShape.Select(s => s < 0 ? (long)windows : s).ToArray();
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length)
        {
            throw new InvalidOperationException(
                $"{_name}: input shape [{string.Join(", ", _frontEnd.InputShape)}] does not hold {windows} windows of {window} samples.");
        }

        return [OnnxTensorData.FromSingles(_frontEnd.Input, data, shape)];
    }
}
