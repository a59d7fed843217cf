namespace ArdMl.Audio;

/// <summary>
/// Loads audio as the models expect it: decoded from any supported format, averaged to mono, resampled to one rate
/// (16 kHz by default) and optionally cut to a maximum duration.
/// </summary>
/// <remarks>
/// FLAC input is checked by its frame CRC-8 / CRC-16 codes; the STREAMINFO MD5 of the whole decoded PCM (about a quarter
/// of FLAC decoding time) is verified by <see cref="AudioDecoder.Decode(string)"/>, not here.
/// </remarks>
public static class AudioLoader
{
    /// <summary>The sample rate most speech and audio models expect.</summary>
    public const int DefaultSampleRate = 16000;

    /// <summary>Decodes the file at <paramref name="path"/> to mono samples in [-1, 1] at <paramref name="sampleRate"/>.</summary>
    /// <param name="path">A WAV, FLAC, MP3 or Ogg Vorbis file (detected from its content).</param>
    /// <param name="sampleRate">Output sample rate in Hz.</param>
    /// <param name="maxDurationSeconds">Keep at most this many seconds from the start; null keeps everything.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="AudioDecodeException">The file is empty, truncated, corrupt or in an unsupported encoding.</exception>
    public static float[] LoadMono(string path, int sampleRate = DefaultSampleRate, double? maxDurationSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ValidateArguments(sampleRate, maxDurationSeconds);
        return LoadMono(AudioDecoder.ReadFile(path), path, sampleRate, maxDurationSeconds);
    }

    /// <summary>Decodes an encoded file held in memory to mono samples in [-1, 1] at <paramref name="sampleRate"/>.</summary>
    /// <param name="encoded">The file content.</param>
    /// <param name="sourceName">A name for the data (usually its path) used in error messages.</param>
    /// <param name="sampleRate">Output sample rate in Hz.</param>
    /// <param name="maxDurationSeconds">Keep at most this many seconds from the start; null keeps everything.</param>
    /// <exception cref="AudioDecodeException">The data is empty, truncated, corrupt or in an unsupported encoding.</exception>
    public static float[] LoadMono(
        ReadOnlySpan<byte> encoded, string sourceName, int sampleRate = DefaultSampleRate, double? maxDurationSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ValidateArguments(sampleRate, maxDurationSeconds);
        var mono = AudioDecoder.DecodeMono(encoded, sourceName, DecodeLimit(maxDurationSeconds), sampleRate);
        if (mono.SampleRate == sampleRate)
        {
            return Cut(mono.ToOwnedArray(), sampleRate, maxDurationSeconds);
        }

        var output = AudioResampler.Resample(mono.Span, mono.SampleRate, sampleRate);
        mono.Return();
        return Cut(output, sampleRate, maxDurationSeconds);
    }

    /// <summary>Averages the channels of decoded audio, resamples to <paramref name="sampleRate"/> and cuts it.</summary>
    /// <param name="audio">Decoded audio.</param>
    /// <param name="sampleRate">Output sample rate in Hz.</param>
    /// <param name="maxDurationSeconds">Keep at most this many seconds from the start; null keeps everything.</param>
    public static float[] ToModelInput(DecodedAudio audio, int sampleRate = DefaultSampleRate, double? maxDurationSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ValidateArguments(sampleRate, maxDurationSeconds);
        var sourceFrames = audio.FrameCount;
        if (maxDurationSeconds is { } limit)
        {
            // Extra source samples keep the filter's right-hand context for the last kept output sample.
            sourceFrames = (int)Math.Min(sourceFrames, AudioDecoder.FrameLimit(DecodeLimit(limit), audio.SampleRate));
        }

        return ResampleAndCut(audio.ToMono(sourceFrames), audio.SampleRate, sampleRate, maxDurationSeconds);
    }

    private static float[] ResampleAndCut(float[] mono, int sourceRate, int sampleRate, double? maxDurationSeconds) =>
        Cut(sourceRate == sampleRate ? mono : AudioResampler.Resample(mono, sourceRate, sampleRate), sampleRate, maxDurationSeconds);

    private static float[] Cut(float[] output, int sampleRate, double? maxDurationSeconds)
    {
        if (maxDurationSeconds is { } seconds)
        {
            var keep = (int)Math.Min(output.Length, Math.Round(seconds * sampleRate));
            if (keep < output.Length)
            {
                Array.Resize(ref output, keep);
            }
        }

        return output;
    }

    private static void ValidateArguments(int sampleRate, double? maxDurationSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (maxDurationSeconds is { } seconds && !(seconds > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDurationSeconds), seconds, "must be positive (or null for no limit)");
        }
    }

    /// <summary>Seconds to decode for a kept duration: 0.1 s more, the context the resampling filter needs.</summary>
    private static double DecodeLimit(double? maxDurationSeconds) =>
        maxDurationSeconds is { } seconds ? seconds + 0.1 : double.PositiveInfinity;
}
