using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArdMl.Audio;

/// <summary>
/// RIFF/WAVE reader: PCM 8 (unsigned) / 16 / 24 / 32-bit, IEEE float 32 / 64-bit, WAVE_FORMAT_EXTENSIBLE. Unknown
/// chunks are skipped (with their odd-size pad byte); a data chunk size of 0 or 0xFFFFFFFF (streaming writers) means
/// "to the end of the file".
/// </summary>
internal static class WavDecoder
{
    private const ushort FormatPcm = 0x0001;
    private const ushort FormatIeeeFloat = 0x0003;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>The GUID tail shared by all KSDATAFORMAT_SUBTYPE_* GUIDs after the 16-bit format code.</summary>
    private static ReadOnlySpan<byte> SubFormatTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static DecodedAudio Decode(ReadOnlySpan<byte> data, string sourceName, double maxSeconds)
    {
        var (format, offset, length) = Locate(data, sourceName);
        var samples = data.Slice(offset, length);
        return ConvertSamples(samples, format, sourceName, AudioDecoder.FrameLimit(maxSeconds, format.SampleRate));
    }

    /// <summary>Decodes straight to the average of the channels in [-1, 1] (16-bit PCM without an integer copy).</summary>
    public static MonoSamples DecodeMono(ReadOnlySpan<byte> data, string sourceName, double maxSeconds, int rentUnlessRate)
    {
        var (format, offset, length) = Locate(data, sourceName);
        var samples = data.Slice(offset, length);
        var maxFrames = AudioDecoder.FrameLimit(maxSeconds, format.SampleRate);
        var channels = format.Channels;
        if (format.IsFloat || format.BlockAlign != channels * 2 || format.ValidBits != 16 || !BitConverter.IsLittleEndian)
        {
            var converted = ConvertSamples(samples, format, sourceName, maxFrames).ToMono();
            return new MonoSamples(converted, converted.Length, format.SampleRate, IsRented: false);
        }

        var frames = (int)Math.Min(samples.Length / format.BlockAlign, maxFrames);
        if (frames == 0)
        {
            throw new AudioDecodeException(sourceName, "the WAV 'data' chunk holds no complete sample frame");
        }

        var shorts = MemoryMarshal.Cast<byte, short>(samples[..(frames * format.BlockAlign)]);
        var rent = format.SampleRate != rentUnlessRate;
        var mono = MonoSamples.Allocate(frames, rent);
        var scale = 1f / (32768f * channels);
        if (channels == 2)
        {
            for (int i = 0, j = 0; i < frames; i++, j += 2)
            {
                mono[i] = (shorts[j] + shorts[j + 1]) * scale;
            }
        }
        else
        {
            for (int i = 0, j = 0; i < frames; i++)
            {
                var sum = 0;
                for (var c = 0; c < channels; c++, j++)
                {
                    sum += shorts[j];
                }

                mono[i] = sum * scale;
            }
        }

        return new MonoSamples(mono, frames, format.SampleRate, rent);
    }

    /// <summary>Finds the format and the byte range of the samples.</summary>
    private static (Format Format, int Offset, int Length) Locate(ReadOnlySpan<byte> data, string sourceName)
    {
        if (data.Length < 12)
        {
            throw new AudioDecodeException(sourceName, $"truncated WAV: {data.Length} bytes hold no RIFF header");
        }

        var position = 12;
        Format? format = null;
        while (true)
        {
            if (position + 8 > data.Length)
            {
                throw new AudioDecodeException(
                    sourceName,
                    format is null ? "truncated WAV: no 'fmt ' chunk found" : "truncated WAV: no 'data' chunk found");
            }

            var id = data.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(position + 4)..]);
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > data.Length)
                {
                    throw new AudioDecodeException(sourceName, $"truncated or invalid WAV 'fmt ' chunk ({size} bytes)");
                }

                format = Format.Parse(data.Slice(body, (int)size), sourceName);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new AudioDecodeException(sourceName, "WAV 'data' chunk comes before the 'fmt ' chunk");
                }

                var available = data.Length - body;
                long length = size;
                if (size == 0 || size == 0xFFFFFFFF)
                {
                    length = available; // written by a streaming encoder that never patched the size
                }
                else if (size > available)
                {
                    throw new AudioDecodeException(
                        sourceName, $"truncated WAV: the 'data' chunk declares {size} bytes but only {available} are present");
                }

                return (format, body, (int)length);
            }

            position = (int)Math.Min(data.Length, body + (long)size + (size & 1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DecodedAudio ConvertSamples(ReadOnlySpan<byte> bytes, Format format, string sourceName, long maxFrames)
    {
        var frames = (int)Math.Min(bytes.Length / format.BlockAlign, maxFrames);
        if (frames == 0)
        {
            throw new AudioDecodeException(sourceName, "the WAV 'data' chunk holds no complete sample frame");
        }

        var channels = format.Channels;
        var count = frames * channels;
        var bytesPerSample = format.BlockAlign / channels;
        if (format.IsFloat)
        {
            var floats = new float[count];
            if (format.BitsPerSample == 32 && bytesPerSample == 4 && BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(bytes[..(count * 4)]).CopyTo(floats);
                return new DecodedAudio(AudioFileFormat.Wav, format.SampleRate, channels, 32, frames, floats);
            }

            for (var i = 0; i < count; i++)
            {
                var offset = (i / channels * format.BlockAlign) + (i % channels * bytesPerSample);
                floats[i] = format.BitsPerSample == 32
                    ? BinaryPrimitives.ReadSingleLittleEndian(bytes[offset..])
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[offset..]);
            }

            return new DecodedAudio(AudioFileFormat.Wav, format.SampleRate, channels, format.BitsPerSample, frames, floats);
        }

        var integers = new int[count];
        var shift = (bytesPerSample * 8) - format.ValidBits;
        var packed = bytesPerSample * channels == format.BlockAlign;
        var source = bytes[..(frames * format.BlockAlign)];
        switch (bytesPerSample)
        {
            case 1:
                for (var i = 0; i < count; i++)
                {
                    integers[i] = (source[i] - 128) >> shift;
                }

                break;
            case 2 when packed && shift == 0:
                for (var i = 0; i < count; i++)
                {
                    integers[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]);
                }

                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    var offset = (i / channels * format.BlockAlign) + (i % channels * bytesPerSample);
                    var value = bytesPerSample switch
                    {
                        2 => BinaryPrimitives.ReadInt16LittleEndian(source[offset..]),
                        3 => (source[offset] << 8) | (source[offset + 1] << 16) | (source[offset + 2] << 24),
                        _ => BinaryPrimitives.ReadInt32LittleEndian(source[offset..]),
                    };
                    integers[i] = bytesPerSample == 3 ? value >> (8 + shift) : value >> shift;
                }

                break;
        }

        return new DecodedAudio(AudioFileFormat.Wav, format.SampleRate, channels, format.ValidBits, frames, integers);
    }

    /// <summary>The parsed 'fmt ' chunk.</summary>
    private sealed record Format(int Channels, int SampleRate, int BlockAlign, int BitsPerSample, int ValidBits, bool IsFloat)
    {
        public static Format Parse(ReadOnlySpan<byte> chunk, string sourceName)
        {
            var tag = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
            var channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
            var sampleRate = BinaryPrimitives.ReadInt32LittleEndian(chunk[4..]);
            var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(chunk[12..]);
            var bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
            var validBits = (int)bits;
            if (tag == FormatExtensible)
            {
                if (chunk.Length < 40)
                {
                    throw new AudioDecodeException(sourceName, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is shorter than 40 bytes");
                }

                var declaredValid = BinaryPrimitives.ReadUInt16LittleEndian(chunk[18..]);
                validBits = declaredValid == 0 ? bits : declaredValid;
                var subFormat = chunk.Slice(24, 16);
                if (!subFormat[2..].SequenceEqual(SubFormatTail))
                {
                    throw new AudioDecodeException(
                        sourceName, $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(subFormat)}");
                }

                tag = BinaryPrimitives.ReadUInt16LittleEndian(subFormat);
            }

            if (tag != FormatPcm && tag != FormatIeeeFloat)
            {
                throw new AudioDecodeException(
                    sourceName, $"unsupported WAV encoding: format tag 0x{tag:X4} ({DescribeTag(tag)}); only PCM and IEEE float are read");
            }

            if (channels == 0 || sampleRate <= 0)
            {
                throw new AudioDecodeException(sourceName, $"invalid WAV format: {channels} channels at {sampleRate} Hz");
            }

            var isFloat = tag == FormatIeeeFloat;
            var validDepth = isFloat ? bits is 32 or 64 : bits is >= 1 and <= 32;
            if (!validDepth || validBits > bits || blockAlign < channels * ((bits + 7) / 8) || blockAlign % channels != 0)
            {
                throw new AudioDecodeException(
                    sourceName,
                    $"unsupported WAV sample layout: {(isFloat ? "float" : "PCM")} {bits} bits " +
                    $"({validBits} valid), block align {blockAlign}, {channels} channels");
            }

            var container = blockAlign / channels;
            if (!isFloat && container > 4)
            {
                throw new AudioDecodeException(sourceName, $"unsupported WAV PCM container of {container} bytes per sample");
            }

            return new Format(channels, sampleRate, blockAlign, bits, Math.Min(validBits, container * 8), isFloat);
        }

        private static string DescribeTag(ushort tag) => tag switch
        {
            0x0002 => "Microsoft ADPCM",
            0x0006 => "A-law",
            0x0007 => "mu-law",
            0x0011 => "IMA ADPCM",
            0x0031 => "GSM 6.10",
            0x0055 => "MPEG layer 3",
            _ => "unknown",
        };
    }
}
