using static TorchSharp.torch;

namespace ArdMl.Demo;

/// <summary>
/// The demo sound-event model: raw 16 kHz mono waveform in, multi-label logits over <see cref="DemoSoundLabels.All"/>
/// out. Inside: a fixed log-mel front end (25 ms frames, 10 ms hop, 40 mel bands), three Conv1d/ReLU layers with two
/// max-pools, mean over time and a linear classifier. The hidden layer (<see cref="HiddenTap"/>) keeps a time axis:
/// [batch, channels, frames] at 25 frames per second. Trained by <see cref="DemoModelTrainer"/>, exported with
/// <see cref="ToOnnx"/> through the project's own ONNX writer.
/// </summary>
public sealed class DemoSoundEventModel : IDisposable
{
    /// <summary>ONNX input: waveform [batch, samples], float32 in [-1, 1] at 16 kHz.</summary>
    public const string InputName = "waveform";

    /// <summary>ONNX output: logits [batch, labels].</summary>
    public const string LogitsOutput = "logits";

    /// <summary>ONNX output: sigmoid probabilities [batch, labels].</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>The hidden layer AR&amp;D taps by default: [batch, hidden channels, frames], 25 frames per second.</summary>
    public const string HiddenTap = "/encoder/conv3/Relu_output_0";

    /// <summary>The log-mel features: [batch, mel bands, frames], 100 frames per second.</summary>
    public const string LogMelTap = "/frontend/Mul_2_output_0";

    /// <summary>The clip embedding (hidden layer averaged over time): [batch, hidden channels].</summary>
    public const string EmbeddingTap = "/pool/ReduceMean_output_0";

    private readonly DemoSoundEventNetwork _network;

    internal DemoSoundEventModel(DemoSoundEventNetwork network, IReadOnlyList<string> labels)
    {
        _network = network;
        Labels = labels;
    }

    /// <summary>The sizes of the model.</summary>
    public DemoModelOptions Options => _network.Options;

    /// <summary>The labels, in output order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Fewest samples the model accepts (one analysis frame, four frames so that both pools give an output).</summary>
    public static int MinimumSamples => DemoModelOptions.FrameSamples + (3 * DemoModelOptions.HopSamples);

    internal DemoSoundEventNetwork Network => _network;

    /// <summary>A model with freshly initialised (untrained) weights; the same seed gives the same weights.</summary>
    /// <param name="options">Sizes; the default has one output per demo label.</param>
    /// <param name="seed">Seed of TorchSharp's generator.</param>
    public static DemoSoundEventModel CreateUntrained(DemoModelOptions? options = null, int seed = 0)
    {
        options ??= new DemoModelOptions();
        options.Validate();
        random.manual_seed(seed);
        var labels = options.LabelCount == DemoSoundLabels.All.Count
            ? DemoSoundLabels.All
            : Enumerable.Range(0, options.LabelCount).Select(i => $"label {i}").ToArray();
        return new DemoSoundEventModel(new DemoSoundEventNetwork(options), labels);
    }

    /// <summary>Logits [batch][labels] of waveforms of equal length (at least <see cref="MinimumSamples"/>), computed by TorchSharp.</summary>
    public float[][] PredictLogits(IReadOnlyList<float[]> waveforms)
    {
        ArgumentNullException.ThrowIfNull(waveforms);
        if (waveforms.Count == 0)
        {
            return [];
        }

        var length = waveforms[0].Length;
        if (waveforms.Any(w => w.Length != length) || length < MinimumSamples)
        {
            throw new ArgumentException($"Waveforms must share one length of at least {MinimumSamples} samples.", nameof(waveforms));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _network.eval();
        var batch = tensor(waveforms.SelectMany(w => w).ToArray(), [waveforms.Count, length]);
        var logits = _network.forward(batch).contiguous().data<float>().ToArray();
        return [.. Enumerable.Range(0, waveforms.Count).Select(i => logits.AsSpan(i * Labels.Count, Labels.Count).ToArray())];
    }

    /// <summary>The model as ONNX bytes (opset 17, symbolic batch and sample axes); the same weights give the same bytes.</summary>
    public byte[] ToOnnx() => DemoSoundEventOnnxExporter.Export(_network, Labels);

    /// <summary>Writes <see cref="ToOnnx"/> to a file.</summary>
    public void SaveOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToOnnx());
    }

    /// <inheritdoc/>
    public void Dispose() => _network.Dispose();
}
