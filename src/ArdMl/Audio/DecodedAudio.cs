namespace ArdMl.Audio;

/// <summary>
/// Decoded audio: interleaved samples scaled to [-1, 1], and for integer sources (PCM WAV, FLAC) the exact integer
/// samples as stored in the file.
/// </summary>
public sealed class DecodedAudio
{
    private float[]? _samples;

    internal DecodedAudio(
        AudioFileFormat format, int sampleRate, int channels, int bitsPerSample, int frameCount, float[] samples)
    {
        Format = format;
        SampleRate = sampleRate;
        Channels = channels;
        BitsPerSample = bitsPerSample;
        FrameCount = frameCount;
        IsFloatingPoint = true;
        _samples = samples;
    }

    internal DecodedAudio(
        AudioFileFormat format, int sampleRate, int channels, int bitsPerSample, int frameCount, int[] integerSamples)
    {
        Format = format;
        SampleRate = sampleRate;
        Channels = channels;
        BitsPerSample = bitsPerSample;
        FrameCount = frameCount;
        IntegerSamples = integerSamples;
    }

    /// <summary>The format the audio was decoded from.</summary>
    public AudioFileFormat Format { get; }

    /// <summary>Sample frames per second.</summary>
    public int SampleRate { get; }

    /// <summary>Number of interleaved channels.</summary>
    public int Channels { get; }

    /// <summary>
    /// Bits per sample of the source: the integer bit depth for PCM WAV and FLAC (e.g. 16, 20, 24), 32 or 64 for
    /// IEEE-float WAV, and 32 for the float output of lossy decoders (MP3, Vorbis).
    /// </summary>
    public int BitsPerSample { get; }

    /// <summary>True when the source samples are floating point (float WAV, MP3, Vorbis); false for integer PCM.</summary>
    public bool IsFloatingPoint { get; }

    /// <summary>Number of sample frames (samples per channel).</summary>
    public int FrameCount { get; }

    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => FrameCount / (double)SampleRate;

    /// <summary>
    /// Interleaved samples scaled to [-1, 1] (integer sources are divided by 2^(BitsPerSample-1)); length
    /// <see cref="FrameCount"/> x <see cref="Channels"/>. Computed on first access for integer sources.
    /// </summary>
    public float[] Samples => _samples ?? LazyInitializer.EnsureInitialized(ref _samples, ScaleIntegerSamples);

    /// <summary>
    /// Interleaved integer samples exactly as stored (signed, right-justified, range
    /// [-2^(BitsPerSample-1), 2^(BitsPerSample-1)-1]; 8-bit WAV is converted from unsigned); null for floating-point
    /// sources.
    /// </summary>
    public int[]? IntegerSamples { get; }

    /// <summary>The factor that maps integer samples to [-1, 1]: 1 / 2^(BitsPerSample-1).</summary>
    internal float IntegerScale => (float)(1.0 / (1L << (BitsPerSample - 1)));

    /// <summary>Averages the channels into one mono signal in [-1, 1].</summary>
    /// <returns>A new array of <see cref="FrameCount"/> samples.</returns>
    public float[] ToMono() => ToMono(FrameCount);

    /// <summary>Averages the channels of the first <paramref name="frames"/> frames into one mono signal.</summary>
    internal float[] ToMono(int frames)
    {
        frames = Math.Min(frames, FrameCount);
        var mono = new float[frames];
        if (IntegerSamples is { } integers && _samples is null)
        {
            AudioChannelMixer.DownmixIntegers(integers, Channels, IntegerScale, mono);
        }
        else
        {
            AudioChannelMixer.Downmix(Samples, Channels, mono);
        }

        return mono;
    }

    private float[] ScaleIntegerSamples()
    {
        var integers = IntegerSamples!;
        var scaled = new float[integers.Length];
        var scale = IntegerScale;
        for (var i = 0; i < integers.Length; i++)
        {
            scaled[i] = integers[i] * scale;
        }

        return scaled;
    }
}
