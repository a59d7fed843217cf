namespace ArdMl.Demo;

/// <summary>Sizes of the demo sound-event model (<see cref="DemoSoundEventModel"/>).</summary>
public sealed class DemoModelOptions
{
    /// <summary>Samples per analysis frame of the built-in spectrogram (25 ms at 16 kHz).</summary>
    public const int FrameSamples = 400;

    /// <summary>Samples between analysis frames (10 ms at 16 kHz: 100 frames per second).</summary>
    public const int HopSamples = 160;

    /// <summary>Spectrogram bins (0 to 8 kHz).</summary>
    public const int SpectrumBins = (FrameSamples / 2) + 1;

    /// <summary>Samples between frames of the hidden layer (two max-pools of 2: 40 ms, 25 frames per second).</summary>
    public const int HiddenHopSamples = HopSamples * 4;

    /// <summary>Mel bands of the built-in log-mel front end.</summary>
    public int MelBands { get; init; } = 40;

    /// <summary>Channels of the first convolution (100 frames per second).</summary>
    public int Conv1Channels { get; init; } = 64;

    /// <summary>Channels of the second convolution (50 frames per second).</summary>
    public int Conv2Channels { get; init; } = 128;

    /// <summary>Channels of the third convolution: the hidden layer AR&amp;D taps (25 frames per second).</summary>
    public int HiddenChannels { get; init; } = 128;

    /// <summary>Number of outputs (labels).</summary>
    public int LabelCount { get; init; } = DemoSoundLabels.All.Count;

    internal void Validate()
    {
        void Positive(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(name, $"{name} must be at least 1 (is {value}).");
            }
        }

        Positive(MelBands, nameof(MelBands));
        Positive(Conv1Channels, nameof(Conv1Channels));
        Positive(Conv2Channels, nameof(Conv2Channels));
        Positive(HiddenChannels, nameof(HiddenChannels));
        Positive(LabelCount, nameof(LabelCount));
        if (MelBands > SpectrumBins)
        {
            throw new ArgumentOutOfRangeException(nameof(MelBands), $"MelBands must be at most {SpectrumBins} (is {MelBands}).");
        }
    }
}
