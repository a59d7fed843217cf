namespace ArdMl.Audio;

/// <summary>
/// Decodes WAV, FLAC, MP3 and Ogg Vorbis. The format is detected from the content (RIFF/WAVE, "fLaC", "OggS", an MPEG
/// audio frame sync or an ID3v2 tag), never from the file extension.
/// </summary>
public static class AudioDecoder
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names the path).</exception>
    /// <exception cref="AudioDecodeException">The file is empty, truncated, corrupt or in an unsupported encoding.</exception>
    public static DecodedAudio Decode(string path) => Decode(path, double.PositiveInfinity);

    /// <summary>Decodes an encoded file held in memory.</summary>
    /// <param name="encoded">The file content.</param>
    /// <param name="sourceName">A name for the data (usually its path) used in error messages.</param>
    /// <exception cref="AudioDecodeException">The data is empty, truncated, corrupt or in an unsupported encoding.</exception>
    public static DecodedAudio Decode(ReadOnlySpan<byte> encoded, string sourceName) => Decode(encoded, sourceName, double.PositiveInfinity);

    /// <summary>Detects the format of encoded audio from its first bytes; null when it is not one this library reads.</summary>
    /// <param name="encoded">The file content (the first few kilobytes suffice unless a large ID3v2 tag precedes the audio).</param>
    public static AudioFileFormat? DetectFormat(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length >= 12 && encoded.StartsWith("RIFF"u8) && encoded[8..12].SequenceEqual("WAVE"u8))
        {
            return AudioFileFormat.Wav;
        }

        if (encoded.StartsWith("OggS"u8))
        {
            return AudioFileFormat.OggVorbis;
        }

        var offset = SkipId3v2(encoded);
        var rest = encoded[Math.Min(offset, encoded.Length)..];
        if (rest.StartsWith("fLaC"u8))
        {
            return AudioFileFormat.Flac;
        }

        return IsMpegAudioFrameHeader(rest) || (offset > 0 && rest.Length > 0) ? AudioFileFormat.Mp3 : null;
    }

    /// <summary>The sample frames to decode for at most <paramref name="maxSeconds"/> at <paramref name="sampleRate"/>.</summary>
    internal static long FrameLimit(double maxSeconds, int sampleRate) =>
        double.IsPositiveInfinity(maxSeconds) ? long.MaxValue : (long)Math.Ceiling(maxSeconds * sampleRate);

    /// <summary>Decodes the file at <paramref name="path"/>, stopping after <paramref name="maxSeconds"/> of audio.</summary>
    internal static DecodedAudio Decode(string path, double maxSeconds) => Decode(ReadFile(path), path, maxSeconds);

    /// <summary>
    /// Decodes straight to the channel average (the loader's path: no interleaved copy for WAV and FLAC). WAV and FLAC
    /// samples whose rate is not <paramref name="rentUnlessRate"/> (they will be resampled) are in a rented buffer.
    /// </summary>
    internal static MonoSamples DecodeMono(ReadOnlySpan<byte> encoded, string sourceName, double maxSeconds, int rentUnlessRate)
    {
        var format = Validate(encoded, sourceName, maxSeconds);
        switch (format)
        {
            case AudioFileFormat.Wav:
                return WavDecoder.DecodeMono(encoded, sourceName, maxSeconds, rentUnlessRate);
            case AudioFileFormat.Flac:
                return FlacDecoder.DecodeMono(encoded, SkipId3v2(encoded), sourceName, maxSeconds, rentUnlessRate);
            default:
                var decoded = Decode(encoded, sourceName, maxSeconds);
                var mono = decoded.ToMono();
                return new MonoSamples(mono, mono.Length, decoded.SampleRate, IsRented: false);
        }
    }

    /// <summary>Reads a whole file, turning I/O failures into the exceptions this API documents.</summary>
    internal static byte[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new AudioDecodeException(path, "is a directory, not an audio file");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Audio file not found: '{path}'.", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"Audio file not found (missing directory): '{path}'.", path, e);
        }
        catch (IOException e)
        {
            throw new AudioDecodeException(path, $"cannot be read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AudioDecodeException(path, $"access denied ({e.Message})", e);
        }
    }

    private static AudioFileFormat Validate(ReadOnlySpan<byte> encoded, string sourceName, double maxSeconds)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!(maxSeconds > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxSeconds), maxSeconds, "must be positive");
        }

        if (encoded.IsEmpty)
        {
            throw new AudioDecodeException(sourceName, "the file is empty (0 bytes)");
        }

        return DetectFormat(encoded)
            ?? throw new AudioDecodeException(sourceName, $"unsupported or unrecognised format ({DescribeUnknown(encoded)})");
    }

    /// <summary>Decodes in-memory data, stopping after <paramref name="maxSeconds"/> of audio.</summary>
    internal static DecodedAudio Decode(ReadOnlySpan<byte> encoded, string sourceName, double maxSeconds)
    {
        return Validate(encoded, sourceName, maxSeconds) switch
        {
            AudioFileFormat.Wav => WavDecoder.Decode(encoded, sourceName, maxSeconds),
            AudioFileFormat.Flac => FlacDecoder.Decode(encoded, SkipId3v2(encoded), sourceName, maxSeconds),
            AudioFileFormat.OggVorbis => CompressedAudioDecoder.DecodeOggVorbis(encoded.ToArray(), sourceName, maxSeconds),
            _ => CompressedAudioDecoder.DecodeMp3(encoded.ToArray(), sourceName, maxSeconds),
        };
    }

    private static int SkipId3v2(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (data.Length >= offset + 10 && data[offset..].StartsWith("ID3"u8))
        {
            var size = (data[offset + 6] << 21) | (data[offset + 7] << 14) | (data[offset + 8] << 7) | data[offset + 9];
            var footer = (data[offset + 5] & 0x10) != 0 ? 10 : 0;
            offset += 10 + size + footer;
        }

        return offset;
    }

    private static bool IsMpegAudioFrameHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || (data[1] & 0xE0) != 0xE0)
        {
            return false;
        }

        var version = (data[1] >> 3) & 3;
        var layer = (data[1] >> 1) & 3;
        var bitrate = data[2] >> 4;
        var sampleRate = (data[2] >> 2) & 3;
        return version != 1 && layer != 0 && bitrate != 15 && sampleRate != 3;
    }

    private static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 12 && data.StartsWith("FORM"u8) && (data[8..12].SequenceEqual("AIFF"u8) || data[8..12].SequenceEqual("AIFC"u8)))
        {
            return "AIFF is not supported; convert it to WAV or FLAC";
        }

        if (data.StartsWith("RIFF"u8) || data.StartsWith("RF64"u8))
        {
            return "a RIFF file that is not WAVE, or RF64";
        }

        var head = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        return $"expected WAV, FLAC, MP3 or Ogg Vorbis; the file starts with bytes {head}";
    }
}
