using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArdMl.Audio;

/// <summary>
/// Big-endian (MSB-first) bit reader over a whole FLAC stream in memory. Reads are served from a 64-bit window loaded
/// at the current byte, so any read of up to 57 bits is one unaligned load; the last 8 bytes use a checked path.
/// Reading past the end throws <see cref="EndOfStreamException"/>, which the decoder reports as truncation.
/// </summary>
internal ref struct FlacBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _fastLimitBits;
    private long _bitPosition;

    public FlacBitReader(ReadOnlySpan<byte> data, int byteOffset)
    {
        _data = data;
        _bitPosition = (long)byteOffset * 8;
        _fastLimitBits = ((long)data.Length - 8) * 8;
    }

    /// <summary>Current position in bits from the start of the data.</summary>
    public readonly long BitPosition => _bitPosition;

    /// <summary>Current byte position (the byte holding the next bit).</summary>
    public readonly int BytePosition => (int)(_bitPosition >> 3);

    /// <summary>Bits left before the end of the data.</summary>
    public readonly long BitsRemaining => ((long)_data.Length * 8) - _bitPosition;

    /// <summary>Skips to the next byte boundary.</summary>
    public void AlignToByte() => _bitPosition = (_bitPosition + 7) & ~7L;

    /// <summary>Reads <paramref name="count"/> (0..32) bits as an unsigned number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var window = Peek(count);
        _bitPosition += count;
        return (uint)(window >> (64 - count));
    }

    /// <summary>Reads <paramref name="count"/> (0..56) bits as a two's-complement signed number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadSigned(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var window = Peek(count);
        _bitPosition += count;
        return (long)window >> (64 - count);
    }

    /// <summary>Reads a unary number: the count of 0 bits before the next 1 bit (the 1 is consumed).</summary>
    public uint ReadUnary()
    {
        uint zeros = 0;
        while (true)
        {
            var available = (int)Math.Min(57, BitsRemaining);
            if (available <= 0)
            {
                throw new EndOfStreamException();
            }

            var window = Peek(1);
            var leading = BitOperations.LeadingZeroCount(window);
            if (leading < available)
            {
                _bitPosition += leading + 1;
                return zeros + (uint)leading;
            }

            zeros += (uint)available;
            _bitPosition += available;
        }
    }

    /// <summary>
    /// Reads <paramref name="destination"/>.Length Rice-coded, zig-zag-mapped residuals with parameter
    /// <paramref name="parameter"/> (0..30). The hot loop keeps up to 63 bits in a register and refills it without
    /// branching; codes that do not fit (very long unary runs, the last 8 bytes of the data) take the checked path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReadRiceSigned(Span<long> destination, int parameter)
    {
        ref var start = ref MemoryMarshal.GetReference(_data);
        ref var output = ref MemoryMarshal.GetReference(destination);
        var lastFastByte = (long)_data.Length - 8;
        var count = destination.Length;
        var i = 0;
        while (i < count)
        {
            var bytePosition = _bitPosition >> 3;
            if (bytePosition > lastFastByte)
            {
                ReadRiceSlow(ref Unsafe.Add(ref output, i), parameter);
                i++;
                continue;
            }

            // Fill the register so that the next bit is its top bit.
            var cache = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, (nint)bytePosition)));
            var skip = (int)(_bitPosition & 7);
            cache <<= skip;
            var bits = 56 - skip;
            bytePosition += 7;
            while (i < count)
            {
                var quotient = BitOperations.LeadingZeroCount(cache);
                var consumed = quotient + 1 + parameter;
                if (consumed > bits)
                {
                    break;
                }

                var folded = ((ulong)quotient << parameter) | ((cache << (quotient + 1)) >> 1 >> (63 - parameter));
                Unsafe.Add(ref output, i) = (long)(folded >> 1) ^ -(long)(folded & 1);
                i++;
                cache <<= consumed;
                bits -= consumed;
                if (bytePosition > lastFastByte)
                {
                    break;
                }

                // Branch-free refill: top up with whole bytes so that 56..63 bits are valid.
                cache |= BinaryPrimitives.ReverseEndianness(
                    Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, (nint)bytePosition))) >> bits;
                bytePosition += (63 - bits) >> 3;
                bits |= 56;
            }

            _bitPosition = (bytePosition * 8) - bits;
            if (i < count && (_bitPosition >> 3) <= lastFastByte)
            {
                // The code did not fit in the register (a very long unary run): read it the slow way.
                ReadRiceSlow(ref Unsafe.Add(ref output, i), parameter);
                i++;
            }
        }
    }

    private void ReadRiceSlow(ref long destination, int parameter)
    {
        var quotient = (ulong)ReadUnary();
        if (quotient > (1UL << 40))
        {
            throw new InvalidDataException($"a Rice-coded residual has an implausible quotient {quotient}");
        }

        var folded = (quotient << parameter) | ReadBits(parameter);
        destination = (long)(folded >> 1) ^ -(long)(folded & 1);
    }

    /// <summary>Returns a 64-bit window whose top bit is the next bit; at least <paramref name="needed"/> are valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong Peek(int needed)
    {
        if (_bitPosition <= _fastLimitBits)
        {
            return BinaryPrimitives.ReverseEndianness(
                Unsafe.ReadUnaligned<ulong>(
                    ref Unsafe.Add(ref MemoryMarshal.GetReference(_data), (nint)(_bitPosition >> 3)))) << (int)(_bitPosition & 7);
        }

        return PeekNearEnd(needed);
    }

    private readonly ulong PeekNearEnd(int needed)
    {
        if (needed > BitsRemaining)
        {
            throw new EndOfStreamException();
        }

        var byteIndex = (int)(_bitPosition >> 3);
        ulong window = 0;
        for (var i = 0; i < 8; i++)
        {
            window <<= 8;
            if (byteIndex + i < _data.Length)
            {
                window |= _data[byteIndex + i];
            }
        }

        return window << (int)(_bitPosition & 7);
    }
}
