using System.Security.Cryptography;
using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>
/// Writes FLAC streams that exercise what the reference encoder rarely or never emits: variable block sizes, escape
/// partitions (also 0-bit ones), Rice2 parameters above 14, every fixed order, LPC up to order 32, constant and
/// verbatim subframes, wasted bits, every stereo decorrelation mode and rate / depth taken from STREAMINFO. The
/// reference decoder (<c>flac -d</c>) is the judge of whether the stream is valid and what it contains.
/// </summary>
internal sealed class FlacStreamBuilder(int sampleRate, int channels, int bitsPerSample)
{
    private readonly List<(int[][] Channels, int Assignment)> _blocks = [];

    /// <summary>Use the variable-blocksize strategy (frame headers carry sample numbers).</summary>
    public bool VariableBlockSize { get; init; }

    /// <summary>Write sample-rate and depth codes 0 ("see STREAMINFO") in frame headers.</summary>
    public bool RateAndDepthFromStreamInfo { get; init; }

    /// <summary>Adds a block; <paramref name="assignment"/> 0 = independent, 8 left/side, 9 side/right, 10 mid/side.</summary>
    public void AddBlock(int[][] channelSamples, int assignment = 0) => _blocks.Add((channelSamples, assignment));

    public byte[] Build()
    {
        var writer = new BitWriter();
        foreach (var b in "fLaC"u8)
        {
            writer.Write(b, 8);
        }

        var total = _blocks.Sum(b => b.Channels[0].Length);
        writer.Write(0x80, 8); // last metadata block, STREAMINFO
        writer.Write(34, 24);
        writer.Write((ulong)_blocks.Min(b => b.Channels[0].Length), 16);
        writer.Write((ulong)_blocks.Max(b => b.Channels[0].Length), 16);
        writer.Write(0, 24);
        writer.Write(0, 24);
        writer.Write((ulong)sampleRate, 20);
        writer.Write((ulong)(channels - 1), 3);
        writer.Write((ulong)(bitsPerSample - 1), 5);
        writer.Write((ulong)total, 36);
        foreach (var b in Md5())
        {
            writer.Write(b, 8);
        }

        long sampleNumber = 0;
        for (var index = 0; index < _blocks.Count; index++)
        {
            var (block, assignment) = _blocks[index];
            WriteFrame(writer, block, assignment, VariableBlockSize ? sampleNumber : index, index);
            sampleNumber += block[0].Length;
        }

        return writer.ToArray();
    }

    /// <summary>The interleaved samples of all blocks.</summary>
    public int[] Interleaved()
    {
        var result = new List<int>();
        foreach (var (block, _) in _blocks)
        {
            for (var i = 0; i < block[0].Length; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    result.Add(block[c][i]);
                }
            }
        }

        return [.. result];
    }

    private byte[] Md5()
    {
        var bytesPerSample = (bitsPerSample + 7) / 8;
        var bytes = new List<byte>();
        foreach (var v in Interleaved())
        {
            for (var b = 0; b < bytesPerSample; b++)
            {
                bytes.Add((byte)(v >> (8 * b)));
            }
        }

        return MD5.HashData([.. bytes]);
    }

    private void WriteFrame(BitWriter writer, int[][] block, int assignment, long number, int frameIndex)
    {
        var start = writer.ByteLength;
        var size = block[0].Length;
        writer.Write(0b11111111111110, 14);
        writer.Write(0, 1);
        writer.Write(VariableBlockSize ? 1UL : 0UL, 1);
        var sizeCode = size switch
        {
            192 => 1,
            576 => 2,
            1152 => 3,
            2304 => 4,
            4608 => 5,
            256 => 8,
            512 => 9,
            1024 => 10,
            2048 => 11,
            4096 => 12,
            8192 => 13,
            16384 => 14,
            32768 => 15,
            <= 256 => 6,
            _ => 7,
        };
        writer.Write((ulong)sizeCode, 4);
        var (rateCode, rateExtra, rateExtraBits) = RateCode();
        writer.Write((ulong)rateCode, 4);
        writer.Write((ulong)(assignment == 0 ? channels - 1 : assignment), 4);
        writer.Write((ulong)DepthCode(), 3);
        writer.Write(0, 1);
        WriteCodedNumber(writer, number);
        if (sizeCode == 6)
        {
            writer.Write((ulong)(size - 1), 8);
        }
        else if (sizeCode == 7)
        {
            writer.Write((ulong)(size - 1), 16);
        }

        if (rateExtraBits > 0)
        {
            writer.Write((ulong)rateExtra, rateExtraBits);
        }

        writer.Write(FlacCrc.Crc8(writer.Bytes(start, writer.ByteLength)), 8);

        var signals = Decorrelate(block, assignment);
        for (var c = 0; c < channels; c++)
        {
            var side = (assignment == 8 && c == 1) || (assignment == 9 && c == 0) || (assignment == 10 && c == 1);
            WriteSubframe(writer, signals[c], bitsPerSample + (side ? 1 : 0), (frameIndex * channels) + c);
        }

        writer.Align();
        writer.Write(FlacCrc.Crc16(writer.Bytes(start, writer.ByteLength)), 16);
    }

    private (int Code, int Extra, int ExtraBits) RateCode()
    {
        if (RateAndDepthFromStreamInfo)
        {
            return (0, 0, 0);
        }

        return sampleRate switch
        {
            44100 => (9, 0, 0),
            48000 => (10, 0, 0),
            _ when sampleRate % 1000 == 0 && sampleRate / 1000 < 256 => (12, sampleRate / 1000, 8),
            _ when sampleRate < 65536 => (13, sampleRate, 16),
            _ => (14, sampleRate / 10, 16),
        };
    }

    private int DepthCode() => RateAndDepthFromStreamInfo
        ? 0
        : bitsPerSample switch { 8 => 1, 12 => 2, 16 => 4, 20 => 5, 24 => 6, 32 => 7, _ => 0 };

    private static long[][] Decorrelate(int[][] block, int assignment)
    {
        var left = block[0].Select(v => (long)v).ToArray();
        if (assignment == 0)
        {
            return block.Select(ch => ch.Select(v => (long)v).ToArray()).ToArray();
        }

        var right = block[1].Select(v => (long)v).ToArray();
        var side = left.Zip(right, (l, r) => l - r).ToArray();
        return assignment switch
        {
            8 => [left, side],
            9 => [side, right],
            _ => [left.Zip(right, (l, r) => (l + r) >> 1).ToArray(), side],
        };
    }

    /// <summary>Cycles through subframe kinds by <paramref name="variant"/>.</summary>
    private static void WriteSubframe(BitWriter writer, long[] x, int bits, int variant)
    {
        writer.Write(0, 1);
        if (x.All(v => v == x[0]))
        {
            writer.Write(0, 6);
            writer.Write(0, 1);
            writer.WriteSigned(x[0], bits);
            return;
        }

        var wasted = 0;
        while (wasted < bits - 1 && x.All(v => ((v >> wasted) & 1) == 0))
        {
            wasted++;
        }

        var kind = variant % 8; // 0 verbatim, 1..5 fixed 0..4, 6 LPC order 32 (or less for short blocks), 7 LPC order 3
        var lpcOrder = kind == 6 ? Math.Min(32, x.Length / 2) : 3;
        var y = x.Select(v => v >> wasted).ToArray();
        var b = bits - wasted;
        const int precision = 15;
        const int shift = 13;
        var coefficients = new long[lpcOrder];
        coefficients[0] = 1L << shift; // predict the previous sample, plus small taps further back
        for (var j = 1; j < lpcOrder; j++)
        {
            coefficients[j] = ((j * 37) % 23) - 11;
        }

        var order = kind == 0 ? 0 : kind <= 5 ? kind - 1 : lpcOrder;
        var residual = new long[y.Length];
        for (var i = order; i < y.Length && kind != 0; i++)
        {
            long prediction;
            if (kind <= 5)
            {
                prediction = order switch
                {
                    0 => 0,
                    1 => y[i - 1],
                    2 => (2 * y[i - 1]) - y[i - 2],
                    3 => (3 * y[i - 1]) - (3 * y[i - 2]) + y[i - 3],
                    _ => (4 * y[i - 1]) - (6 * y[i - 2]) + (4 * y[i - 3]) - y[i - 4],
                };
            }
            else
            {
                long sum = 0;
                for (var j = 0; j < order; j++)
                {
                    sum += coefficients[j] * y[i - 1 - j];
                }

                prediction = sum >> shift;
            }

            residual[i] = y[i] - prediction;
        }

        if (order > y.Length || residual.Any(r => Math.Abs(r) >= (1L << 29)))
        {
            kind = 0; // the residual would not fit the format's 32-bit limit comfortably: store verbatim
        }

        var type = kind == 0 ? 1 : kind <= 5 ? 8 + (kind - 1) : 31 + lpcOrder;
        writer.Write((ulong)type, 6);
        if (wasted > 0)
        {
            writer.Write(1, 1);
            writer.WriteUnary(wasted - 1);
        }
        else
        {
            writer.Write(0, 1);
        }

        if (kind == 0)
        {
            foreach (var v in y)
            {
                writer.WriteSigned(v, b);
            }

            return;
        }

        for (var i = 0; i < order; i++)
        {
            writer.WriteSigned(y[i], b);
        }

        if (kind > 5)
        {
            writer.Write(precision - 1, 4);
            writer.WriteSigned(shift, 5);
            foreach (var c in coefficients)
            {
                writer.WriteSigned(c, precision);
            }
        }

        WriteResidual(writer, residual, order, rice2: variant % 3 == 1 || bits > 20, partitionOrder: variant % 4);
    }

    private static void WriteResidual(BitWriter writer, long[] residual, int order, bool rice2, int partitionOrder)
    {
        while (partitionOrder > 0 && ((residual.Length >> partitionOrder) << partitionOrder != residual.Length
            || (residual.Length >> partitionOrder) < order))
        {
            partitionOrder--;
        }

        writer.Write(rice2 ? 1UL : 0UL, 2);
        writer.Write((ulong)partitionOrder, 4);
        var parameterBits = rice2 ? 5 : 4;
        var escape = (1 << parameterBits) - 1;
        var size = residual.Length >> partitionOrder;
        for (var p = 0; p < (1 << partitionOrder); p++)
        {
            var from = p == 0 ? order : p * size;
            var to = (p + 1) * size;
            var values = residual[from..to];
            var maxMagnitude = values.Length == 0 ? 0 : values.Max(v => Math.Abs(v));
            if (p % 3 == 2 || maxMagnitude == 0)
            {
                // Escape partition: raw two's-complement values of just enough bits (0 bits when all are zero).
                var rawBits = maxMagnitude == 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)maxMagnitude) + 1;
                writer.Write((ulong)escape, parameterBits);
                writer.Write((ulong)rawBits, 5);
                foreach (var v in values)
                {
                    if (rawBits > 0)
                    {
                        writer.WriteSigned(v, rawBits);
                    }
                }

                continue;
            }

            var mean = values.Average(v => (double)Math.Abs(v)) + 1;
            var parameter = Math.Clamp((int)Math.Floor(Math.Log2(mean)), 0, escape - 1);
            writer.Write((ulong)parameter, parameterBits);
            foreach (var v in values)
            {
                var folded = (ulong)((v << 1) ^ (v >> 63));
                writer.WriteUnary((int)(folded >> parameter));
                if (parameter > 0)
                {
                    writer.Write(folded & ((1UL << parameter) - 1), parameter);
                }
            }
        }
    }

    private static void WriteCodedNumber(BitWriter writer, long number)
    {
        if (number < 0x80)
        {
            writer.Write((ulong)number, 8);
            return;
        }

        var continuation = number < 0x800 ? 1 : number < 0x10000 ? 2 : number < 0x200000 ? 3 : number < 0x4000000 ? 4 : number < 0x80000000 ? 5 : 6;
        var lead = (0xFF00 >> (continuation + 1)) & 0xFF;
        writer.Write((ulong)(lead | (int)(number >> (6 * continuation))) & ((1UL << 8) - 1), 8);
        for (var i = continuation - 1; i >= 0; i--)
        {
            writer.Write((ulong)(0x80 | ((number >> (6 * i)) & 0x3F)), 8);
        }
    }

    /// <summary>MSB-first bit writer.</summary>
    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = [];
        private int _bitCount;

        public int ByteLength => _bytes.Count;

        public byte[] Bytes(int from, int to) => _bytes.GetRange(from, to - from).ToArray();

        public void Write(ulong value, int count)
        {
            for (var i = count - 1; i >= 0; i--)
            {
                WriteBit((int)((value >> i) & 1));
            }
        }

        public void WriteSigned(long value, int count) => Write((ulong)value & (count == 64 ? ulong.MaxValue : (1UL << count) - 1), count);

        public void WriteUnary(int zeros)
        {
            for (var i = 0; i < zeros; i++)
            {
                WriteBit(0);
            }

            WriteBit(1);
        }

        public void Align()
        {
            while (_bitCount % 8 != 0)
            {
                WriteBit(0);
            }
        }

        public byte[] ToArray() => [.. _bytes];

        private void WriteBit(int bit)
        {
            if (_bitCount % 8 == 0)
            {
                _bytes.Add(0);
            }

            if (bit != 0)
            {
                _bytes[^1] |= (byte)(0x80 >> (_bitCount % 8));
            }

            _bitCount++;
        }
    }
}
