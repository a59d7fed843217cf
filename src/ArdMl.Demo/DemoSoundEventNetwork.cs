using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArdMl.Demo;

/// <summary>
/// The TorchSharp module of the demo model: fixed log-mel front end → conv1 (k5) → ReLU → max-pool 2 → conv2 (k3) →
/// ReLU → max-pool 2 → conv3 (k3) → ReLU (the hidden layer, [B, C, T] at 25 frames per second) → mean over time →
/// linear classifier (logits over the labels).
/// </summary>
internal sealed class DemoSoundEventNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d _conv1;
    private readonly Conv1d _conv2;
    private readonly Conv1d _conv3;
    private readonly Linear _classifier;
    private readonly Tensor _dftReal;
    private readonly Tensor _dftImaginary;
    private readonly Tensor _melFilters;
    private readonly Tensor _bandMean;
    private readonly Tensor _bandScale;

    public DemoSoundEventNetwork(DemoModelOptions options)
        : base("DemoSoundEventNetwork")
    {
        options.Validate();
        Options = options;
        _conv1 = nn.Conv1d(options.MelBands, options.Conv1Channels, 5, padding: 2);
        _conv2 = nn.Conv1d(options.Conv1Channels, options.Conv2Channels, 3, padding: 1);
        _conv3 = nn.Conv1d(options.Conv2Channels, options.HiddenChannels, 3, padding: 1);
        _classifier = nn.Linear(options.HiddenChannels, options.LabelCount);
        _dftReal = tensor(DemoFrontEnd.DftKernels(imaginary: false), [DemoModelOptions.SpectrumBins, 1, DemoModelOptions.FrameSamples]);
        _dftImaginary = tensor(DemoFrontEnd.DftKernels(imaginary: true), [DemoModelOptions.SpectrumBins, 1, DemoModelOptions.FrameSamples]);
        _melFilters = tensor(DemoFrontEnd.MelFilters(options.MelBands), [options.MelBands, DemoModelOptions.SpectrumBins, 1]);
        register_module("conv1", _conv1);
        register_module("conv2", _conv2);
        register_module("conv3", _conv3);
        register_module("classifier", _classifier);
        register_buffer("dft_real", _dftReal);
        register_buffer("dft_imaginary", _dftImaginary);
        register_buffer("mel_filters", _melFilters);
        _bandMean = zeros(1, options.MelBands, 1);
        _bandScale = ones(1, options.MelBands, 1);
        register_buffer("band_mean", _bandMean);
        register_buffer("band_scale", _bandScale);
    }

    public DemoModelOptions Options { get; }

    public Conv1d Conv1 => _conv1;

    public Conv1d Conv2 => _conv2;

    public Conv1d Conv3 => _conv3;

    public Linear Classifier => _classifier;

    /// <summary>Per-band mean subtracted from the log-mel power (set from the training clips).</summary>
    public float[] BandMean => _bandMean.data<float>().ToArray();

    /// <summary>Per-band factor applied after subtracting the mean (1 / standard deviation of the training clips).</summary>
    public float[] BandScale => _bandScale.data<float>().ToArray();

    /// <summary>Sets the per-band standardisation of the front end.</summary>
    public void SetBandNormalisation(float[] mean, float[] scale)
    {
        using var noGrad = no_grad();
        using var m = tensor(mean, [1, Options.MelBands, 1]);
        using var s = tensor(scale, [1, Options.MelBands, 1]);
        _bandMean.copy_(m);
        _bandScale.copy_(s);
    }

    /// <summary>Standardised log-mel features [B, bands, frames] of waveforms [B, samples] (at least one frame long).</summary>
    public Tensor LogMel(Tensor waveform)
    {
        using var scope = NewDisposeScope();
        using var x = waveform.unsqueeze(1);
        using var real = nn.functional.conv1d(x, _dftReal, stride: DemoModelOptions.HopSamples);
        using var imaginary = nn.functional.conv1d(x, _dftImaginary, stride: DemoModelOptions.HopSamples);
        // Scalars (the epsilon and the alpha of add/sub) are created explicitly and held until the call returns:
        // TorchSharp's implicit alpha = 1 can be finalised by the GC while libtorch still reads it.
        using var one = 1f.ToScalar();
        using var minusOne = (-1f).ToScalar();
        using var epsilon = DemoFrontEnd.Epsilon.ToScalar();
        using var power = (real * real).add_(imaginary * imaginary, one);
        using var mel = nn.functional.conv1d(power, _melFilters);
        return mel.add(epsilon, one).log_().add_(_bandMean, minusOne).mul_(_bandScale).MoveToOuterDisposeScope();
    }

    /// <summary>The hidden layer [B, hidden, frames / 4] of log-mel features.</summary>
    public Tensor Encode(Tensor logMel)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool1d(nn.functional.relu(_conv1.forward(logMel)), 2, 2);
        x = nn.functional.max_pool1d(nn.functional.relu(_conv2.forward(x)), 2, 2);
        return nn.functional.relu(_conv3.forward(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [B, labels] of a hidden layer.</summary>
    public Tensor Classify(Tensor hidden)
    {
        using var pooled = hidden.mean([2]);
        return _classifier.forward(pooled);
    }

    /// <summary>Logits [B, labels] of log-mel features.</summary>
    public Tensor ClassifyLogMel(Tensor logMel)
    {
        using var hidden = Encode(logMel);
        return Classify(hidden);
    }

    public override Tensor forward(Tensor waveform)
    {
        using var logMel = LogMel(waveform);
        return ClassifyLogMel(logMel);
    }
}
