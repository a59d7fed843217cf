using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ArdMl.Audio;

/// <summary>
/// Bit-exact FLAC decoder written from the format specification (RFC 9639): STREAMINFO, constant / verbatim / fixed
/// (orders 0-4) / LPC (orders 1-32) subframes, Rice and Rice2 partitioned residuals with escape partitions, wasted bits,
/// independent and left/side, side/right, mid/side stereo, fixed and variable block sizes. Frame header CRC-8 and frame
/// CRC-16 are always verified; the STREAMINFO MD5 of the decoded PCM is verified by <see cref="Decode"/> (the exact,
/// interleaved decode) but not by <see cref="DecodeMono"/> (the model-input path), where it would cost about a quarter
/// of the decoding time: there, as in libFLAC's stream decoder by default, the frame CRCs guard every encoded byte.
/// Parsing is here; the channel output (decorrelation, interleaving, down-mix, MD5 feed) is in FlacDecoder.Channels.cs,
/// prediction in <see cref="FlacPrediction"/> and bit reading in <see cref="FlacBitReader"/>.
/// </summary>
internal sealed partial class FlacDecoder
{
    private const int MaxLpcOrder = 32;

    private readonly string _sourceName;
    private readonly long[][] _channelBuffers;
    private readonly long[][] _coefficients;
    private readonly PendingLpc[] _pendingLpc;
    private readonly StreamInfo _info;
    private byte[] _hashBuffer = [];
    private int[] _interleaved = [];
    private float[] _mono = [];
    private bool _rentMono;
    private int _channelCode; // channel assignment of the last decoded frame

    private FlacDecoder(string sourceName, StreamInfo info)
    {
        _sourceName = sourceName;
        _info = info;
        _channelBuffers = new long[info.Channels][];
        _coefficients = new long[info.Channels][];
        _pendingLpc = new PendingLpc[info.Channels];
        for (var c = 0; c < info.Channels; c++)
        {
            _channelBuffers[c] = new long[Math.Max(info.MaxBlockSize, 16)];
            _coefficients[c] = new long[MaxLpcOrder + 4];
        }
    }

    /// <summary>Decodes a whole native FLAC stream (starting with "fLaC", after any ID3v2 tag).</summary>
    /// <param name="data">The encoded stream.</param>
    /// <param name="streamOffset">Byte offset of the "fLaC" marker.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="maxSeconds">Stop after this much audio (the MD5 is then not verified).</param>
    public static DecodedAudio Decode(ReadOnlySpan<byte> data, int streamOffset, string sourceName, double maxSeconds)
    {
        var decoder = Open(data, streamOffset, sourceName, out var firstFrame);
        var frames = decoder.DecodeFrames(data, firstFrame, AudioDecoder.FrameLimit(maxSeconds, decoder._info.SampleRate), mono: false);
        var info = decoder._info;
        return new DecodedAudio(AudioFileFormat.Flac, info.SampleRate, info.Channels, info.BitsPerSample, frames, decoder._interleaved);
    }

    /// <summary>
    /// Decodes a native FLAC stream straight to the average of its channels (no interleaved copy), verifying the frame
    /// CRCs but not the STREAMINFO MD5.
    /// </summary>
    /// <param name="data">The encoded stream.</param>
    /// <param name="streamOffset">Byte offset of the "fLaC" marker.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="maxSeconds">Stop after this much audio.</param>
    /// <param name="rentUnlessRate">The samples go into a rented buffer unless the stream's rate is this one.</param>
    /// <returns>Mono samples in [-1, 1] and the sample rate.</returns>
    public static MonoSamples DecodeMono(ReadOnlySpan<byte> data, int streamOffset, string sourceName, double maxSeconds, int rentUnlessRate)
    {
        var decoder = Open(data, streamOffset, sourceName, out var firstFrame);
        decoder._rentMono = decoder._info.SampleRate != rentUnlessRate;
        var frames = decoder.DecodeFrames(data, firstFrame, AudioDecoder.FrameLimit(maxSeconds, decoder._info.SampleRate), mono: true);
        return new MonoSamples(decoder._mono, frames, decoder._info.SampleRate, decoder._rentMono);
    }

    private static FlacDecoder Open(ReadOnlySpan<byte> data, int streamOffset, string sourceName, out int firstFrame)
    {
        var position = streamOffset + 4;
        StreamInfo? info = null;
        var last = false;
        while (!last)
        {
            if (position + 4 > data.Length)
            {
                throw new AudioDecodeException(sourceName, $"truncated FLAC metadata block header at byte {position}");
            }

            last = (data[position] & 0x80) != 0;
            var type = data[position] & 0x7F;
            var length = (data[position + 1] << 16) | (data[position + 2] << 8) | data[position + 3];
            position += 4;
            if (type == 127)
            {
                throw new AudioDecodeException(sourceName, $"invalid FLAC metadata block type 127 at byte {position - 4}");
            }

            if (position + length > data.Length)
            {
                throw new AudioDecodeException(
                    sourceName,
                    $"truncated FLAC metadata block (type {type}) at byte {position - 4}: {length} bytes declared, " +
                    $"{data.Length - position} present");
            }

            if (info is null)
            {
                if (type != 0 || length < 34)
                {
                    throw new AudioDecodeException(sourceName, "the first FLAC metadata block is not a valid STREAMINFO");
                }

                info = StreamInfo.Parse(data.Slice(position, 34), sourceName);
            }

            position += length;
        }

        firstFrame = position;
        return new FlacDecoder(sourceName, info!);
    }

    /// <summary>
    /// Decodes the frames into <see cref="_interleaved"/> (exact integers, MD5 verified when the stream declares one) or,
    /// with <paramref name="mono"/>, into <see cref="_mono"/> (channel average scaled to [-1, 1], MD5 not computed);
    /// returns the number of sample frames.
    /// </summary>
    private int DecodeFrames(ReadOnlySpan<byte> data, int firstFrame, long maxFrames, bool mono)
    {
        var channels = _info.Channels;
        var bitsPerSample = _info.BitsPerSample;
        var expected = _info.TotalSamples;
        // Start from the declared length, but never trust a (possibly corrupt) header for more than the data could
        // plausibly hold; the buffers grow if needed.
        var plausible = Math.Max((long)data.Length * 4 / channels, 1 << 20);
        var capacity = Math.Min(expected > 0 ? expected : data.Length / channels, Math.Min(maxFrames, plausible));

        var width = mono ? 1 : channels;
        var output = GC.AllocateUninitializedArray<int>(mono ? 0 : (int)Math.Max(capacity * channels, channels * 4096L));
        var monoOutput = mono ? MonoSamples.Allocate((int)Math.Max(capacity, 4096), _rentMono) : [];
        var scale = (float)(1.0 / (1L << (bitsPerSample - 1)) / channels);
        long frames = 0;
        using var md5 = _info.HasMd5 && !mono ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var reader = new FlacBitReader(data, firstFrame);
        var frameIndex = 0;
        var complete = true;
        while (reader.BytePosition < data.Length)
        {
            if (frames >= maxFrames)
            {
                complete = expected > 0 && frames >= expected;
                break;
            }

            var start = reader.BytePosition;
            if (start + 1 >= data.Length || data[start] != 0xFF || (data[start + 1] & 0xFE) != 0xF8)
            {
                var tail = data[start..];
                var isId3v1Tag = tail.Length == 128 && tail.StartsWith("TAG"u8);
                if ((expected > 0 && frames >= expected) || isId3v1Tag)
                {
                    break; // trailing data after the last frame
                }

                throw Error(start + 1 >= data.Length
                    ? $"truncated: 1 stray byte at byte {start} where FLAC frame {frameIndex} should start"
                    : $"expected a FLAC frame sync code at byte {start} (frame {frameIndex})");
            }

            int blockSize;
            try
            {
                blockSize = DecodeFrame(ref reader, data, frameIndex, decorrelate: !mono);
            }
            catch (EndOfStreamException)
            {
                throw Error($"truncated: FLAC frame {frameIndex} starting at byte {start} runs past the end of the data");
            }
            catch (InvalidDataException e)
            {
                throw Error($"corrupt FLAC frame {frameIndex} at byte {start}: {e.Message}");
            }

            var take = (int)Math.Min(blockSize, maxFrames - frames);
            var needed = (frames + take) * width;
            var length = mono ? monoOutput.Length : output.Length;
            if (needed > length)
            {
                var grown = Math.Min(Math.Max(needed, (long)length * 2), Array.MaxLength);
                if (needed > grown)
                {
                    throw Error("the stream is too long to hold in memory");
                }

                if (mono)
                {
                    var larger = MonoSamples.Allocate((int)grown, _rentMono);
                    monoOutput.AsSpan(0, (int)frames).CopyTo(larger);
                    new MonoSamples(monoOutput, 0, 0, _rentMono).Return();
                    monoOutput = larger;
                }
                else
                {
                    Array.Resize(ref output, (int)grown);
                }
            }

            if (mono)
            {
                Downmix(monoOutput.AsSpan((int)frames, take), scale);
            }
            else
            {
                Interleave(output.AsSpan((int)(frames * channels), take * channels), take);
            }

            if (md5 is not null && take == blockSize)
            {
                AppendToHash(md5, take, bitsPerSample);
            }

            complete &= take == blockSize;
            frames += take;
            frameIndex++;
        }

        if (expected > 0 && frames < Math.Min(expected, maxFrames))
        {
            throw Error($"truncated: STREAMINFO declares {expected} sample frames but only {frames} were found");
        }

        if (frames == 0)
        {
            throw Error("the FLAC stream holds no audio frames");
        }

        if (md5 is not null && complete)
        {
            Span<byte> actual = stackalloc byte[16];
            md5.GetHashAndReset(actual);
            if (!actual.SequenceEqual(_info.Md5))
            {
                throw Error(
                    $"MD5 mismatch: STREAMINFO declares {Convert.ToHexStringLower(_info.Md5)} but the decoded PCM hashes " +
                    $"to {Convert.ToHexStringLower(actual)}");
            }
        }

        if (mono)
        {
            if (!_rentMono)
            {
                Array.Resize(ref monoOutput, (int)frames);
            }

            _mono = monoOutput;
        }
        else
        {
            Array.Resize(ref output, (int)(frames * channels));
            _interleaved = output;
        }

        return (int)frames;
    }

    private AudioDecodeException Error(string problem) => new(_sourceName, problem);

    /// <summary>
    /// Decodes one frame into the channel buffers, as left and right unless <paramref name="decorrelate"/> is false (then
    /// stereo stays as coded, for <see cref="Downmix"/>); returns its block size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int DecodeFrame(ref FlacBitReader reader, ReadOnlySpan<byte> data, int frameIndex, bool decorrelate)
    {
        var start = reader.BytePosition;
        reader.ReadBits(15); // sync code (14 bits) + reserved 0 bit, checked by the caller
        reader.ReadBits(1); // blocking strategy: fixed (frame number) or variable (sample number) - both just counted
        var blockSizeCode = (int)reader.ReadBits(4);
        var sampleRateCode = (int)reader.ReadBits(4);
        var channelCode = (int)reader.ReadBits(4);
        var sampleSizeCode = (int)reader.ReadBits(3);
        if (reader.ReadBits(1) != 0)
        {
            throw new InvalidDataException("reserved frame header bit is set");
        }

        ReadCodedNumber(ref reader);
        var blockSize = blockSizeCode switch
        {
            0 => throw new InvalidDataException("reserved block size code 0"),
            1 => 192,
            >= 2 and <= 5 => 576 << (blockSizeCode - 2),
            6 => (int)reader.ReadBits(8) + 1,
            7 => (int)reader.ReadBits(16) + 1,
            _ => 256 << (blockSizeCode - 8),
        };
        var sampleRate = sampleRateCode switch
        {
            0 => _info.SampleRate,
            1 => 88200,
            2 => 176400,
            3 => 192000,
            4 => 8000,
            5 => 16000,
            6 => 22050,
            7 => 24000,
            8 => 32000,
            9 => 44100,
            10 => 48000,
            11 => 96000,
            12 => (int)reader.ReadBits(8) * 1000,
            13 => (int)reader.ReadBits(16),
            14 => (int)reader.ReadBits(16) * 10,
            _ => throw new InvalidDataException("invalid sample rate code 15"),
        };
        var bitsPerSample = sampleSizeCode switch
        {
            0 => _info.BitsPerSample,
            1 => 8,
            2 => 12,
            4 => 16,
            5 => 20,
            6 => 24,
            7 => 32,
            _ => throw new InvalidDataException("reserved sample size code 3"),
        };
        var headerEnd = reader.BytePosition;
        var headerCrc = (byte)reader.ReadBits(8);
        if (FlacCrc.Crc8(data[start..headerEnd]) != headerCrc)
        {
            throw new InvalidDataException("frame header CRC-8 mismatch");
        }

        var channels = channelCode <= 7 ? channelCode + 1 : channelCode <= 10 ? 2 : 0;
        if (channels == 0)
        {
            throw new InvalidDataException($"reserved channel assignment {channelCode}");
        }

        if (channels != _info.Channels || bitsPerSample != _info.BitsPerSample || sampleRate != _info.SampleRate)
        {
            throw new InvalidDataException(
                $"frame format ({channels} ch, {bitsPerSample} bit, {sampleRate} Hz) differs from STREAMINFO " +
                $"({_info.Channels} ch, {_info.BitsPerSample} bit, {_info.SampleRate} Hz)");
        }

        if (blockSize > _channelBuffers[0].Length)
        {
            if (blockSize > 65536)
            {
                throw new InvalidDataException($"block size {blockSize} exceeds 65536");
            }

            for (var c = 0; c < channels; c++)
            {
                _channelBuffers[c] = new long[blockSize];
            }
        }

        for (var c = 0; c < channels; c++)
        {
            var sideChannel = (channelCode == 8 && c == 1) || (channelCode == 9 && c == 0) || (channelCode == 10 && c == 1);
            DecodeSubframe(ref reader, _channelBuffers[c].AsSpan(0, blockSize), bitsPerSample + (sideChannel ? 1 : 0), c);
        }

        if (channels == 2 && (_pendingLpc[0].Order > 0 || _pendingLpc[1].Order > 0))
        {
            RestorePendingLpc(blockSize);
        }

        reader.AlignToByte();
        var frameEnd = reader.BytePosition;
        var frameCrc = (ushort)reader.ReadBits(16);
        if (FlacCrc.Crc16(data[start..frameEnd]) != frameCrc)
        {
            throw new InvalidDataException($"frame CRC-16 mismatch (frame {frameIndex})");
        }

        _channelCode = channelCode;
        if (decorrelate)
        {
            Decorrelate(channelCode, blockSize);
        }

        return blockSize;
    }

    private static void ReadCodedNumber(ref FlacBitReader reader)
    {
        var first = reader.ReadBits(8);
        int continuation;
        if ((first & 0x80) == 0)
        {
            continuation = 0;
        }
        else if ((first & 0xE0) == 0xC0)
        {
            continuation = 1;
        }
        else if ((first & 0xF0) == 0xE0)
        {
            continuation = 2;
        }
        else if ((first & 0xF8) == 0xF0)
        {
            continuation = 3;
        }
        else if ((first & 0xFC) == 0xF8)
        {
            continuation = 4;
        }
        else if ((first & 0xFE) == 0xFC)
        {
            continuation = 5;
        }
        else if (first == 0xFE)
        {
            continuation = 6;
        }
        else
        {
            throw new InvalidDataException($"invalid coded frame/sample number lead byte 0x{first:X2}");
        }

        for (var i = 0; i < continuation; i++)
        {
            if ((reader.ReadBits(8) & 0xC0) != 0x80)
            {
                throw new InvalidDataException("invalid coded frame/sample number continuation byte");
            }
        }
    }

    /// <summary>
    /// Decodes subframe <paramref name="channel"/>. The LPC restoration of a stereo channel that
    /// <see cref="FlacPrediction.RestoreLpcPair"/> (AVX-512) or <see cref="FlacPrediction.RestoreLpcPair32"/> (AVX2, sums
    /// that fit in 32 bits) can take is left to the frame (recorded in <see cref="_pendingLpc"/>).
    /// </summary>
    private void DecodeSubframe(ref FlacBitReader reader, Span<long> samples, int bitsPerSample, int channel)
    {
        _pendingLpc[channel] = default;
        if (reader.ReadBits(1) != 0)
        {
            throw new InvalidDataException("subframe padding bit is set");
        }

        var type = (int)reader.ReadBits(6);
        var wasted = 0;
        if (reader.ReadBits(1) != 0)
        {
            wasted = (int)reader.ReadUnary() + 1;
            if (wasted >= bitsPerSample)
            {
                throw new InvalidDataException($"{wasted} wasted bits in a {bitsPerSample}-bit subframe");
            }

            bitsPerSample -= wasted;
        }

        if (type == 0)
        {
            samples.Fill(reader.ReadSigned(bitsPerSample));
        }
        else if (type == 1)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = reader.ReadSigned(bitsPerSample);
            }
        }
        else if (type is >= 8 and <= 12)
        {
            var order = type - 8;
            ReadWarmUp(ref reader, samples, order, bitsPerSample);
            ReadResidual(ref reader, samples, order);
            FlacPrediction.RestoreFixed(samples, order);
        }
        else if (type >= 32)
        {
            var order = type - 31;
            ReadWarmUp(ref reader, samples, order, bitsPerSample);
            var precision = (int)reader.ReadBits(4) + 1;
            if (precision == 16)
            {
                throw new InvalidDataException("invalid LPC coefficient precision code 15");
            }

            var shift = (int)reader.ReadSigned(5);
            if (shift < 0)
            {
                throw new InvalidDataException($"negative LPC shift {shift}");
            }

            var coefficients = _coefficients[channel].AsSpan();
            coefficients.Clear();
            for (var i = 0; i < order; i++)
            {
                coefficients[i] = reader.ReadSigned(precision);
            }

            ReadResidual(ref reader, samples, order);
            if (_channelBuffers.Length == 2 && order <= FlacPrediction.MaxPairedOrder
                && (FlacPrediction.IsPairAccelerated || (FlacPrediction.IsPair32Accelerated && FlacPrediction.SumsFitInt32(coefficients, order, bitsPerSample))))
            {
                _pendingLpc[channel] = new PendingLpc(order, shift, wasted, bitsPerSample);
                return;
            }

            FlacPrediction.RestoreLpc(samples, coefficients, order, shift);
        }
        else
        {
            throw new InvalidDataException($"reserved subframe type {type}");
        }

        ShiftWasted(samples, wasted);
    }

    private static void ReadWarmUp(ref FlacBitReader reader, Span<long> samples, int order, int bitsPerSample)
    {
        if (order > samples.Length)
        {
            throw new InvalidDataException($"predictor order {order} exceeds block size {samples.Length}");
        }

        for (var i = 0; i < order; i++)
        {
            samples[i] = reader.ReadSigned(bitsPerSample);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadResidual(ref FlacBitReader reader, Span<long> samples, int order)
    {
        var method = reader.ReadBits(2);
        if (method > 1)
        {
            throw new InvalidDataException($"reserved residual coding method {method}");
        }

        var parameterBits = method == 0 ? 4 : 5;
        var escape = (1 << parameterBits) - 1;
        var partitionOrder = (int)reader.ReadBits(4);
        var partitions = 1 << partitionOrder;
        var partitionSize = samples.Length >> partitionOrder;
        if (partitionSize << partitionOrder != samples.Length || partitionSize < order)
        {
            throw new InvalidDataException(
                $"partition order {partitionOrder} does not fit block size {samples.Length} with predictor order {order}");
        }

        var position = order;
        for (var p = 0; p < partitions; p++)
        {
            var count = p == 0 ? partitionSize - order : partitionSize;
            var target = samples.Slice(position, count);
            var parameter = (int)reader.ReadBits(parameterBits);
            if (parameter == escape)
            {
                var bits = (int)reader.ReadBits(5);
                if (bits == 0)
                {
                    target.Clear();
                }
                else
                {
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = reader.ReadSigned(bits);
                    }
                }
            }
            else
            {
                reader.ReadRiceSigned(target, parameter);
            }

            position += count;
        }
    }

    /// <summary>Restores the deferred LPC channels of a stereo frame: both together when both are LPC.</summary>
    private void RestorePendingLpc(int blockSize)
    {
        var (a, b) = (_pendingLpc[0], _pendingLpc[1]);
        var left = _channelBuffers[0].AsSpan(0, blockSize);
        var right = _channelBuffers[1].AsSpan(0, blockSize);
        if (a.Order > 0 && b.Order > 0)
        {
            if (FlacPrediction.IsPairAccelerated)
            {
                FlacPrediction.RestoreLpcPair(left, right, _coefficients[0], _coefficients[1], a.Order, b.Order, a.Shift, b.Shift);
            }
            else
            {
                FlacPrediction.RestoreLpcPair32(left, right, _coefficients[0], _coefficients[1], a.Order, b.Order, a.Shift, b.Shift, a.Bits, b.Bits);
            }

            ShiftWasted(left, a.Wasted);
            ShiftWasted(right, b.Wasted);
            return;
        }

        if (a.Order > 0)
        {
            FlacPrediction.RestoreLpc(left, _coefficients[0], a.Order, a.Shift);
            ShiftWasted(left, a.Wasted);
        }

        if (b.Order > 0)
        {
            FlacPrediction.RestoreLpc(right, _coefficients[1], b.Order, b.Shift);
            ShiftWasted(right, b.Wasted);
        }
    }

    private static void ShiftWasted(Span<long> samples, int wasted)
    {
        if (wasted > 0)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] <<= wasted;
            }
        }
    }

    /// <summary>
    /// An LPC subframe read but not yet restored: its order (0: none pending), shift, wasted bits and the bits of its
    /// samples after the wasted ones.
    /// </summary>
    private readonly record struct PendingLpc(int Order, int Shift, int Wasted, int Bits);

    /// <summary>The STREAMINFO metadata block.</summary>
    private sealed class StreamInfo
    {
        public int MaxBlockSize { get; private init; }

        public int SampleRate { get; private init; }

        public int Channels { get; private init; }

        public int BitsPerSample { get; private init; }

        public long TotalSamples { get; private init; }

        public byte[] Md5 { get; private init; } = [];

        public bool HasMd5 => Md5.AsSpan().ContainsAnyExcept((byte)0);

        public static StreamInfo Parse(ReadOnlySpan<byte> block, string sourceName)
        {
            var maxBlockSize = BinaryPrimitives.ReadUInt16BigEndian(block[2..]);
            var packed = BinaryPrimitives.ReadUInt64BigEndian(block[10..]);
            var sampleRate = (int)(packed >> 44);
            var channels = (int)((packed >> 41) & 7) + 1;
            var bitsPerSample = (int)((packed >> 36) & 31) + 1;
            var totalSamples = (long)(packed & 0xFFFFFFFFFL);
            if (sampleRate == 0)
            {
                throw new AudioDecodeException(sourceName, "FLAC STREAMINFO declares a sample rate of 0");
            }

            if (bitsPerSample < 4)
            {
                throw new AudioDecodeException(sourceName, $"FLAC STREAMINFO declares {bitsPerSample} bits per sample");
            }

            return new StreamInfo
            {
                MaxBlockSize = maxBlockSize,
                SampleRate = sampleRate,
                Channels = channels,
                BitsPerSample = bitsPerSample,
                TotalSamples = totalSamples,
                Md5 = block.Slice(18, 16).ToArray(),
            };
        }
    }
}
