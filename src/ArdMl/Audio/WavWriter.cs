using System.Buffers.Binary;

namespace ArdMl.Audio;

/// <summary>Sample encodings the <see cref="WavWriter"/> can produce.</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned PCM.</summary>
    Pcm8,

    /// <summary>16-bit signed PCM.</summary>
    Pcm16,

    /// <summary>24-bit signed PCM.</summary>
    Pcm24,

    /// <summary>32-bit signed PCM.</summary>
    Pcm32,

    /// <summary>32-bit IEEE float.</summary>
    Float32,
}

/// <summary>
/// Writes RIFF/WAVE files: PCM 8/16/24/32-bit or 32-bit float from samples in [-1, 1], or integer PCM of any depth
/// from 1 to 32 bits (WAVE_FORMAT_EXTENSIBLE with valid-bits for depths that are not a whole number of bytes, and for
/// more than two channels).
/// </summary>
public static class WavWriter
{
    private const int ChunkFrames = 8192;

    /// <summary>Writes interleaved samples in [-1, 1] (values outside are clipped for PCM) to a new file.</summary>
    /// <param name="path">Output path (overwritten).</param>
    /// <param name="interleaved">Samples, frame by frame.</param>
    /// <param name="sampleRate">Sample frames per second.</param>
    /// <param name="channels">Channels per frame.</param>
    /// <param name="format">Sample encoding.</param>
    public static void Write(string path, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format)
    {
        using var stream = File.Create(path);
        Write(stream, interleaved, sampleRate, channels, format);
    }

    /// <summary>Writes interleaved samples in [-1, 1] (values outside are clipped for PCM) to a stream.</summary>
    /// <param name="stream">Destination; written from its current position.</param>
    /// <param name="interleaved">Samples, frame by frame.</param>
    /// <param name="sampleRate">Sample frames per second.</param>
    /// <param name="channels">Channels per frame.</param>
    /// <param name="format">Sample encoding.</param>
    public static void Write(Stream stream, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ValidateLayout(interleaved.Length, sampleRate, channels);
        var bits = format switch
        {
            WavSampleFormat.Pcm8 => 8,
            WavSampleFormat.Pcm16 => 16,
            WavSampleFormat.Pcm24 => 24,
            WavSampleFormat.Pcm32 => 32,
            WavSampleFormat.Float32 => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown WAV sample format"),
        };
        var isFloat = format == WavSampleFormat.Float32;
        var bytesPerSample = bits / 8;
        var needsPad = WriteHeader(stream, interleaved.Length, sampleRate, channels, bits, bits, isFloat);
        var buffer = new byte[ChunkFrames * channels * bytesPerSample];
        var scale = isFloat ? 1.0 : Math.Pow(2, bits - 1);
        var max = scale - 1;
        for (var start = 0; start < interleaved.Length; start += ChunkFrames * channels)
        {
            var block = interleaved.Slice(start, Math.Min(ChunkFrames * channels, interleaved.Length - start));
            var bytes = buffer.AsSpan(0, block.Length * bytesPerSample);
            for (var i = 0; i < block.Length; i++)
            {
                if (isFloat)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * 4)..], block[i]);
                    continue;
                }

                var value = (long)Math.Round(Math.Clamp(block[i] * scale, -scale, max));
                WriteInteger(bytes[(i * bytesPerSample)..], value, bytesPerSample);
            }

            stream.Write(bytes);
        }

        if (needsPad)
        {
            stream.WriteByte(0);
        }
    }

    /// <summary>
    /// Writes interleaved integer PCM of <paramref name="bitsPerSample"/> bits (1..32) to a new file, bit for bit:
    /// samples are stored left-justified in whole bytes, 8-bit and below as unsigned.
    /// </summary>
    /// <param name="path">Output path (overwritten).</param>
    /// <param name="interleaved">Signed samples in [-2^(bits-1), 2^(bits-1)-1], frame by frame.</param>
    /// <param name="sampleRate">Sample frames per second.</param>
    /// <param name="channels">Channels per frame.</param>
    /// <param name="bitsPerSample">Significant bits per sample.</param>
    public static void WriteIntegers(string path, ReadOnlySpan<int> interleaved, int sampleRate, int channels, int bitsPerSample)
    {
        using var stream = File.Create(path);
        WriteIntegers(stream, interleaved, sampleRate, channels, bitsPerSample);
    }

    /// <summary>Writes interleaved integer PCM of <paramref name="bitsPerSample"/> bits (1..32) to a stream, bit for bit.</summary>
    /// <param name="stream">Destination; written from its current position.</param>
    /// <param name="interleaved">Signed samples in [-2^(bits-1), 2^(bits-1)-1], frame by frame.</param>
    /// <param name="sampleRate">Sample frames per second.</param>
    /// <param name="channels">Channels per frame.</param>
    /// <param name="bitsPerSample">Significant bits per sample.</param>
    public static void WriteIntegers(Stream stream, ReadOnlySpan<int> interleaved, int sampleRate, int channels, int bitsPerSample)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerSample, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitsPerSample, 32);
        ValidateLayout(interleaved.Length, sampleRate, channels);
        var bytesPerSample = (bitsPerSample + 7) / 8;
        var shift = (bytesPerSample * 8) - bitsPerSample;
        var needsPad = WriteHeader(
            stream, interleaved.Length, sampleRate, channels, bytesPerSample * 8, bitsPerSample, isFloat: false);
        var buffer = new byte[ChunkFrames * channels * bytesPerSample];
        for (var start = 0; start < interleaved.Length; start += ChunkFrames * channels)
        {
            var block = interleaved.Slice(start, Math.Min(ChunkFrames * channels, interleaved.Length - start));
            var bytes = buffer.AsSpan(0, block.Length * bytesPerSample);
            for (var i = 0; i < block.Length; i++)
            {
                WriteInteger(bytes[(i * bytesPerSample)..], (long)block[i] << shift, bytesPerSample);
            }

            stream.Write(bytes);
        }

        if (needsPad)
        {
            stream.WriteByte(0);
        }
    }

    private static void WriteInteger(Span<byte> destination, long value, int bytesPerSample)
    {
        switch (bytesPerSample)
        {
            case 1:
                destination[0] = (byte)(value + 128);
                break;
            case 2:
                BinaryPrimitives.WriteInt16LittleEndian(destination, (short)value);
                break;
            case 3:
                destination[0] = (byte)value;
                destination[1] = (byte)(value >> 8);
                destination[2] = (byte)(value >> 16);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(destination, (int)value);
                break;
        }
    }

    private static void ValidateLayout(int sampleCount, int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 18);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (sampleCount % channels != 0)
        {
            throw new ArgumentException($"{sampleCount} samples are not a whole number of {channels}-channel frames.");
        }
    }

    /// <summary>Writes the RIFF, fmt and data headers; returns whether the data chunk needs a pad byte after it.</summary>
    private static bool WriteHeader(
        Stream stream, int sampleCount, int sampleRate, int channels, int containerBits, int validBits, bool isFloat)
    {
        var extensible = channels > 2 || containerBits != validBits;
        var blockAlign = channels * (containerBits / 8);
        var dataBytes = (long)sampleCount * (containerBits / 8);
        var fmtSize = extensible ? 40 : 16;
        var riffSize = 4 + (8 + fmtSize) + 8 + dataBytes + (dataBytes & 1);
        if (riffSize > uint.MaxValue)
        {
            throw new ArgumentException($"{dataBytes} bytes of samples exceed the 4 GiB WAV limit.");
        }

        Span<byte> header = stackalloc byte[12 + 8 + 40 + 8];
        var h = header;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)riffSize);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], fmtSize);
        var tag = (ushort)(extensible ? 0xFFFE : isFloat ? 3 : 1);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], tag);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], sampleRate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], (ushort)containerBits);
        var offset = 36;
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(h[38..], (ushort)validBits);
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], 0); // speaker positions not specified
            BinaryPrimitives.WriteUInt16LittleEndian(h[44..], (ushort)(isFloat ? 3 : 1));
            ReadOnlySpan<byte> guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            guidTail.CopyTo(h[46..]);
            offset = 60;
        }

        "data"u8.CopyTo(h[offset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(offset + 4)..], (uint)dataBytes);
        stream.Write(header[..(offset + 8)]);
        return (dataBytes & 1) != 0;
    }
}
