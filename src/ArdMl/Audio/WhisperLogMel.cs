using System.Numerics.Tensors;

namespace ArdMl.Audio;

/// <summary>
/// Whisper's log-mel front end: 16 kHz mono, 400-sample (25 ms) periodic Hann window, hop 160 (10 ms), power
/// spectrogram, Slaney mel filterbank (80 or 128 bins), log10(max(x, 1e-10)), clamp to (max − 8), then (x + 4) / 4.
/// Framing follows <c>torch.stft(center=True, pad_mode='reflect')</c> with the last frame dropped, so a clip of n
/// samples gives n / 160 frames (integer division).
/// </summary>
/// <remarks>
/// The output layout is Whisper's: mel-major, <c>[MelBins, frames]</c> row-major. The maximum used by the 8-unit clamp
/// is taken over every frame returned (with <c>padToFrames</c>, over the padded 30 s input, as the Hugging Face
/// <c>WhisperFeatureExtractor</c> does). Instances are immutable and thread-safe; a call allocates its output and a
/// few small per-call buffers, never per frame.
/// </remarks>
public sealed class WhisperLogMel
{
    /// <summary>Sample rate Whisper expects, in Hz.</summary>
    public const int SampleRate = 16000;

    /// <summary>FFT length and window length in samples (25 ms).</summary>
    public const int FftSize = 400;

    /// <summary>Hop between frames in samples (10 ms).</summary>
    public const int HopLength = 160;

    /// <summary>Frames of a 30 s Whisper input (480,000 samples).</summary>
    public const int FramesPer30Seconds = 3000;

    /// <summary>Lower bound applied before log10.</summary>
    public const float PowerFloor = 1e-10f;

    /// <summary>Dynamic range kept below the maximum, in log10 units (80 dB).</summary>
    public const float DynamicRange = 8f;

    private readonly WhisperLogMelFft _fft;
    private readonly float[] _window;

    private WhisperLogMel(int melBins)
    {
        MelBins = melBins;
        Filterbank = WhisperLogMelFilterbank.CreateSlaney(SampleRate, FftSize, melBins);
        _fft = new WhisperLogMelFft(FftSize);
        _window = new float[FftSize];
        for (var n = 0; n < FftSize; n++)
        {
            // Periodic Hann (torch.hann_window(400), periodic=True): denominator N, not N - 1.
            _window[n] = (float)(0.5 - (0.5 * Math.Cos(2.0 * Math.PI * n / FftSize)));
        }
    }

    /// <summary>Number of mel bins (80 for Whisper up to large-v2, 128 for large-v3).</summary>
    public int MelBins { get; }

    /// <summary>The mel filterbank in use.</summary>
    public WhisperLogMelFilterbank Filterbank { get; }

    /// <summary>The analysis window (periodic Hann of length 400).</summary>
    public ReadOnlySpan<float> Window => _window;

    /// <summary>Creates the front end.</summary>
    /// <param name="melBins">80 or 128 (other positive counts are accepted for experiments).</param>
    public static WhisperLogMel Create(int melBins = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        return new WhisperLogMel(melBins);
    }

    /// <summary>Frames Whisper produces for <paramref name="sampleCount"/> samples: sampleCount / 160.</summary>
    public static int FrameCount(int sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        return sampleCount / HopLength;
    }

    /// <summary>
    /// Computes the log-mel spectrogram, mel-major <c>[MelBins, frames]</c>.
    /// </summary>
    /// <param name="samples">Mono 16 kHz samples in [-1, 1].</param>
    /// <param name="frameCount">Frames written (samples.Length / 160, or <paramref name="padToFrames"/>).</param>
    /// <param name="padToFrames">
    /// When set, the samples are zero-padded or truncated to padToFrames × 160 before analysis (Whisper's 30 s input
    /// is 3000 frames), exactly like the Hugging Face feature extractor.
    /// </param>
    public float[] Compute(ReadOnlySpan<float> samples, out int frameCount, int? padToFrames = null)
    {
        frameCount = padToFrames ?? FrameCount(samples.Length);
        var output = new float[MelBins * frameCount];
        Compute(samples, output, padToFrames);
        return output;
    }

    /// <summary>
    /// Computes the log-mel spectrogram into <paramref name="destination"/> (mel-major, length MelBins × frames) and
    /// returns the frame count.
    /// </summary>
    /// <param name="samples">Mono 16 kHz samples in [-1, 1].</param>
    /// <param name="destination">Output, at least MelBins × frames long.</param>
    /// <param name="padToFrames">See <see cref="Compute(ReadOnlySpan{float}, out int, int?)"/>.</param>
    public int Compute(ReadOnlySpan<float> samples, Span<float> destination, int? padToFrames = null)
    {
        if (padToFrames is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padToFrames), padToFrames, "Must not be negative.");
        }

        var signalLength = padToFrames is { } frames ? frames * HopLength : samples.Length;
        var validLength = Math.Min(samples.Length, signalLength);
        var frameCount = FrameCount(signalLength);
        if (destination.Length < MelBins * frameCount)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; {MelBins} × {frameCount} are needed.", nameof(destination));
        }

        if (frameCount == 0)
        {
            return 0;
        }

        var valid = samples[..validLength];
        var frame = new float[FftSize];
        var power = new float[_fft.BinCount];
        var mel = new float[MelBins];
        var workspace = _fft.CreateWorkspace();
        const int HalfWindow = FftSize / 2;
        var output = destination[..(MelBins * frameCount)];
        for (var t = 0; t < frameCount; t++)
        {
            var start = (t * HopLength) - HalfWindow;
            if (start >= 0 && start + FftSize <= validLength)
            {
                TensorPrimitives.Multiply(valid.Slice(start, FftSize), _window, frame);
            }
            else
            {
                for (var n = 0; n < FftSize; n++)
                {
                    frame[n] = SampleAt(valid, signalLength, start + n) * _window[n];
                }
            }

            _fft.PowerSpectrum(frame, power, workspace);
            Filterbank.Apply(power, mel);
            for (var m = 0; m < MelBins; m++)
            {
                output[(m * frameCount) + t] = mel[m];
            }
        }

        TensorPrimitives.Max(output, PowerFloor, output);
        TensorPrimitives.Log10(output, output);
        var floor = TensorPrimitives.Max(output) - DynamicRange;
        TensorPrimitives.Max(output, floor, output);
        TensorPrimitives.Add(output, 4f, output);
        TensorPrimitives.Multiply(output, 0.25f, output);
        return frameCount;
    }

    /// <summary>
    /// Sample of the reflect-padded signal (numpy/torch 'reflect': the edge sample is not repeated). The signal is the
    /// valid samples followed by zeros up to <paramref name="signalLength"/>; indices that reflect more than once keep
    /// reflecting, so clips shorter than half a window still work.
    /// </summary>
    private static float SampleAt(ReadOnlySpan<float> valid, int signalLength, int index)
    {
        if (signalLength == 1)
        {
            return valid.Length > 0 ? valid[0] : 0f;
        }

        var period = 2 * (signalLength - 1);
        index %= period;
        if (index < 0)
        {
            index += period;
        }

        if (index >= signalLength)
        {
            index = period - index;
        }

        return index < valid.Length ? valid[index] : 0f;
    }
}
