using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Steering;

/// <summary>
/// Silero VAD (the 16 kHz op15 ONNX export) as a steering model. The clip (16 kHz mono) is cut into 512-sample chunks
/// (the last one zero-padded), each preceded by the previous 64 samples (zeros before the first), as the reference code
/// does; the LSTM state is carried from chunk to chunk — in a steered run the steered state, so steering chunk c changes
/// chunks c, c + 1, … and leaves earlier ones untouched. Tap frames are numbered across the clip. The output vector holds
/// the speech probability of each chunk (32 ms). The tap defaults to the encoder output
/// (<see cref="DefaultTap"/>, [1, 128, 1] per chunk: <see cref="TapAxisSpec.ChannelsFirst"/>, one 128-d frame per chunk).
/// </summary>
public sealed class SileroVadSteeringModel : ISteeringModel, IDisposable
{
    /// <summary>The encoder's last activation, input of the decoder (LSTM).</summary>
    public const string DefaultTap = "/model/encoder/3/activation/Relu_output_0";

    /// <summary>Samples per chunk at 16 kHz.</summary>
    public const int ChunkSamples = 512;

    /// <summary>Context samples prepended to each chunk.</summary>
    public const int ContextSamples = 64;

    private const int StateSize = 2 * 128;
    private readonly SplitModelSession _session;
    private readonly TapAxisSpec _axes;

    /// <summary>Splits the model at <paramref name="tapName"/> and opens it.</summary>
    /// <param name="modelPath">Path of <c>silero_vad_16k_op15.onnx</c> (or a model with the same inputs and outputs).</param>
    /// <param name="tapName">The value to steer.</param>
    /// <param name="axes">How the tap maps to frames × d (default <see cref="TapAxisSpec.ChannelsFirst"/>).</param>
    /// <param name="options">ONNX Runtime session options (default: ONNX Runtime's defaults, warnings not logged).</param>
    public SileroVadSteeringModel(string modelPath, string tapName = DefaultTap, TapAxisSpec? axes = null, SessionOptions? options = null)
    {
        var split = OnnxModelSplitter.Split(modelPath, tapName);
        foreach (var required in new[] { "input", "state", "sr" })
        {
            if (!split.OriginalInputs.Contains(required))
            {
                throw new ArgumentException($"{modelPath} has no input '{required}'; it is not a Silero VAD op15 model.", nameof(modelPath));
            }
        }

        if (!split.OriginalOutputs.Contains("output") || !split.OriginalOutputs.Contains("stateN"))
        {
            throw new ArgumentException($"{modelPath} lacks the outputs 'output' and 'stateN'; it is not a Silero VAD op15 model.", nameof(modelPath));
        }

        using var quiet = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new SplitModelSession(split, options ?? quiet);
        _axes = axes ?? TapAxisSpec.ChannelsFirst;
        TapWidth = RunChunks(new float[ChunkSamples], null, null).Width;
    }

    /// <inheritdoc />
    public int TapWidth { get; }

    /// <inheritdoc />
    public string OutputDescription => "speech probability per 32 ms chunk";

    /// <summary>The split model.</summary>
    public OnnxModelSplit Split => _session.Split;

    /// <inheritdoc />
    public float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention) =>
        RunChunks(samples, intervention, null).Probabilities;

    /// <inheritdoc />
    public float[] CollectTapFrames(ReadOnlySpan<float> samples)
    {
        var frames = new List<float>();
        RunChunks(samples, null, frames);
        return [.. frames];
    }

    private (float[] Probabilities, int Width) RunChunks(ReadOnlySpan<float> samples, IActivationIntervention? intervention, List<float>? tapFrames)
    {
        int chunks = Math.Max(1, (samples.Length + ChunkSamples - 1) / ChunkSamples);
        var probabilities = new float[chunks];
        var state = new float[StateSize];
        var window = new float[ContextSamples + ChunkSamples];
        int width = 0;
        int firstFrame = 0;
        using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []);
        for (int c = 0; c < chunks; c++)
        {
            Array.Copy(window, ChunkSamples, window, 0, ContextSamples);
            Array.Clear(window, ContextSamples, ChunkSamples);
            int start = c * ChunkSamples;
            samples.Slice(start, Math.Min(ChunkSamples, samples.Length - start)).CopyTo(window.AsSpan(ContextSamples));
            using var input = OrtValue.CreateTensorValueFromMemory(window, [1, window.Length]);
            using var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
            using var forward = _session.RunPrefix(new Dictionary<string, OrtValue> { ["input"] = input, ["state"] = stateValue, ["sr"] = sr });
            var (layout, replacement) = _session.InterveneAtTap(forward, _axes, intervention, firstFrame, tapFrames);
            width = layout.Width;
            firstFrame += layout.FrameCount;

            var outputs = _session.RunSuffix(forward, replacement);
            probabilities[c] = outputs["output"].AsSingles()[0];
            state = outputs["stateN"].AsSingles();
        }

        return (probabilities, width);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
