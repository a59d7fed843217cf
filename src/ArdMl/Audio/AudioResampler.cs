using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArdMl.Audio;

/// <summary>
/// Band-limited sample-rate conversion of mono signals with a Kaiser-windowed sinc filter in polyphase form.
/// </summary>
/// <remarks>
/// Filter design, with N = min(input rate, output rate) / 2 (the Nyquist frequency of the lower rate):
/// passband 0 .. 0.90 N (measured deviation below 0.005 dB), transition 0.90 N .. 1.00 N, stopband from 1.00 N with
/// 90 dB attenuation (Kaiser design, beta 8.96; measured at least 89.9 dB), cutoff 0.95 N. Downsampling 44.1 kHz to 16 kHz therefore keeps 0 - 7.2 kHz
/// and attenuates everything above 8 kHz by about 90 dB before it could alias (316 taps). Rational ratios with at most 1024 output phases
/// (every common audio rate pair) use exact phases; other ratios interpolate linearly between 1024 precomputed phases.
/// With exact phases, outputs that share a phase are computed eight at a time from one load of their filter row (the
/// row bank of 44.1 kHz to 16 kHz, 160 rows of 320 taps, does not fit in the L1 cache); each output is still summed in
/// one fixed order, so its value does not depend on where it falls in a block.
/// The output has round(n x outputRate / inputRate) samples, aligned so that output sample i sits at input time
/// i x inputRate / outputRate; the signal beyond both ends is taken as silence.
/// </remarks>
public static class AudioResampler
{
    private const int MaxCachedFilters = 32;

    private static readonly bool UseV512 = Vector512.IsHardwareAccelerated;

    private static readonly ConcurrentDictionary<(int Input, int Output), PolyphaseFilter> Filters = new();

    /// <summary>Resamples a mono signal from <paramref name="inputRate"/> to <paramref name="outputRate"/>.</summary>
    /// <param name="input">Mono samples at <paramref name="inputRate"/>.</param>
    /// <param name="inputRate">Input sample rate in Hz.</param>
    /// <param name="outputRate">Output sample rate in Hz.</param>
    /// <returns>round(input.Length x outputRate / inputRate) samples at <paramref name="outputRate"/>.</returns>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        if (inputRate == outputRate)
        {
            return input.ToArray();
        }

        var outputLength = OutputLength(input.Length, inputRate, outputRate);
        var output = new float[outputLength];
        if (outputLength == 0)
        {
            return output;
        }

        if (Filters.Count > MaxCachedFilters)
        {
            Filters.Clear(); // unusual rate pairs: keep the cache bounded
        }

        var filter = Filters.GetOrAdd((inputRate, outputRate), static key => new PolyphaseFilter(key.Input, key.Output));
        filter.Run(input, output);
        return output;
    }

    /// <summary>The number of samples <see cref="Resample"/> returns: round(inputLength x outputRate / inputRate).</summary>
    /// <param name="inputLength">Input samples.</param>
    /// <param name="inputRate">Input sample rate in Hz.</param>
    /// <param name="outputRate">Output sample rate in Hz.</param>
    public static int OutputLength(int inputLength, int inputRate, int outputRate)
    {
        var length = (((long)inputLength * outputRate * 2) + inputRate) / (2L * inputRate);
        return checked((int)length);
    }

    /// <summary>The precomputed polyphase filter bank for one rate pair.</summary>
    private sealed class PolyphaseFilter
    {
        private const double PassbandEdge = 0.90;
        private const double StopbandEdge = 1.00;
        private const double StopbandAttenuationDb = 90;
        private const int MaxExactPhases = 1024;
        private const int InterpolatedPhases = 1024;
        private const int RowAlignment = 16;
        private const int BlockOutputs = 8; // outputs that share one load of a table row (DotBlock512 / DotBlock256)

        private readonly long _step;          // input advance per output sample, in units of 1/_denominator samples
        private readonly long _denominator;   // reduced output rate
        private readonly int _phases;         // rows in the table (exact) or rows - 1 (interpolated)
        private readonly bool _interpolate;
        private readonly int _halfTaps;       // H: taps reach H input samples to each side
        private readonly int _taps;           // T: padded row length (multiple of the SIMD width)
        private readonly float[] _table;

        public PolyphaseFilter(int inputRate, int outputRate)
        {
            var gcd = (int)BigInteger.GreatestCommonDivisor(inputRate, outputRate);
            _step = inputRate / gcd;
            _denominator = outputRate / gcd;
            _interpolate = _denominator > MaxExactPhases;
            _phases = _interpolate ? InterpolatedPhases : (int)_denominator;

            var nyquist = Math.Min(inputRate, outputRate) / 2.0;
            var cutoff = (PassbandEdge + StopbandEdge) / 2 * nyquist / inputRate; // cycles per input sample
            var transition = (StopbandEdge - PassbandEdge) * nyquist / inputRate;
            var length = (StopbandAttenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition);
            var halfWidth = length / 2;
            var beta = 0.1102 * (StopbandAttenuationDb - 8.7);
            _halfTaps = (int)Math.Ceiling(halfWidth);
            _taps = (((2 * _halfTaps) + RowAlignment - 1) / RowAlignment) * RowAlignment;

            var rows = _interpolate ? _phases + 1 : _phases;
            _table = new float[rows * _taps];
            var besselBeta = BesselI0(beta);
            var coefficients = new double[_taps];
            for (var row = 0; row < rows; row++)
            {
                var phase = row / (double)_phases;
                var values = _table.AsSpan(row * _taps, _taps);
                double sum = 0;
                Array.Clear(coefficients);
                for (var j = 0; j < _taps; j++)
                {
                    // tap j multiplies input sample k0 - H + 1 + j; its distance from the output time k0 + phase:
                    var tau = phase + _halfTaps - 1 - j;
                    if (Math.Abs(tau) >= halfWidth)
                    {
                        continue;
                    }

                    var ratio = tau / halfWidth;
                    var window = BesselI0(beta * Math.Sqrt(1 - (ratio * ratio))) / besselBeta;
                    var x = 2 * cutoff * tau;
                    var sinc = Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
                    coefficients[j] = 2 * cutoff * sinc * window;
                    sum += coefficients[j];
                }

                for (var j = 0; j < _taps; j++)
                {
                    values[j] = (float)(coefficients[j] / sum); // unity gain at DC for every phase
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(ReadOnlySpan<float> input, Span<float> output)
        {
            if (_interpolate)
            {
                RunInterpolated(input, output);
                return;
            }

            // Output n reads input samples First(n) .. First(n) + T - 1 with table row Phase(n); outputs n and n + D share
            // the row, and their windows lie S input samples apart (S = _step, D = _denominator). The interior (windows
            // wholly inside the input) runs in blocks of BlockOutputs outputs D apart, so that each row is loaded once
            // per block; the ends, where windows reach into the silence beyond the input, go one output at a time.
            var denominator = (int)_denominator;
            var interiorStart = 0;
            while (interiorStart < output.Length && First(interiorStart) < 0)
            {
                interiorStart++;
            }

            var interiorEnd = output.Length;
            while (interiorEnd > interiorStart && First(interiorEnd - 1) + _taps > input.Length)
            {
                interiorEnd--;
            }

            for (var n = 0; n < interiorStart; n++)
            {
                output[n] = SingleAtEdge(input, n);
            }

            ref var x = ref MemoryMarshal.GetReference(input);
            ref var y = ref MemoryMarshal.GetReference(output);
            ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
            var span = BlockOutputs * denominator;
            var stride = (nint)_step;
            var n0 = interiorStart;
            for (; n0 + span <= interiorEnd; n0 += span)
            {
                for (var n = n0; n < n0 + denominator; n++)
                {
                    var position = n * _step;
                    var whole = position / _denominator;
                    ref var row = ref Unsafe.Add(ref table, (nint)(position - (whole * _denominator)) * _taps);
                    ref var window = ref Unsafe.Add(ref x, (nint)(whole + 1 - _halfTaps));
                    ref var target = ref Unsafe.Add(ref y, n);
                    if (UseV512)
                    {
                        DotBlock512(ref row, ref window, stride, _taps, ref target, denominator);
                    }
                    else
                    {
                        DotBlock256(ref row, ref window, stride, _taps, ref target, denominator);
                    }
                }
            }

            for (var n = n0; n < interiorEnd; n++)
            {
                var position = n * _step;
                var whole = position / _denominator;
                output[n] = DotOneLane(
                    ref Unsafe.Add(ref table, (nint)(position - (whole * _denominator)) * _taps),
                    ref Unsafe.Add(ref x, (nint)(whole + 1 - _halfTaps)),
                    _taps);
            }

            for (var n = Math.Max(interiorEnd, interiorStart); n < output.Length; n++)
            {
                output[n] = SingleAtEdge(input, n);
            }
        }

        /// <summary>The first input sample that output <paramref name="n"/>'s window reads (may lie outside the input).</summary>
        private long First(long n) => (n * _step / _denominator) + 1 - _halfTaps;

        /// <summary>One output whose window may reach beyond the input: the window is copied into a zero-padded row.</summary>
        private float SingleAtEdge(ReadOnlySpan<float> input, int n)
        {
            Span<float> scratch = _taps <= 4096 ? stackalloc float[_taps] : new float[_taps];
            scratch.Clear();
            var position = n * _step;
            var whole = position / _denominator;
            var first = whole + 1 - _halfTaps;
            var from = (int)Math.Clamp(first, 0, input.Length);
            var to = (int)Math.Clamp(first + _taps, 0, input.Length);
            if (to > from)
            {
                input[from..to].CopyTo(scratch[(int)(from - first)..]);
            }

            return DotOneLane(ref _table[(int)(position - (whole * _denominator)) * _taps], ref scratch[0], _taps);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunInterpolated(ReadOnlySpan<float> input, Span<float> output)
        {
            // Output n needs input samples k0 - H + 1 .. k0 - H + T; outside the input they are silence, so windows that
            // overlap an end are copied into a zero-padded scratch row, and all others are read in place.
            Span<float> scratch = _taps <= 4096 ? stackalloc float[_taps] : new float[_taps];
            ref var x = ref MemoryMarshal.GetReference(input);
            ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
            long position = 0; // output time in units of 1/_denominator input samples
            for (var n = 0; n < output.Length; n++, position += _step)
            {
                var whole = position / _denominator;
                var fraction = position - (whole * _denominator);
                var first = whole + 1 - _halfTaps;
                ref var window = ref scratch[0];
                if (first >= 0 && first + _taps <= input.Length)
                {
                    window = ref Unsafe.Add(ref x, (nint)first);
                }
                else
                {
                    scratch.Clear();
                    var from = (int)Math.Max(first, 0);
                    var to = (int)Math.Min(first + _taps, input.Length);
                    if (to > from)
                    {
                        input[from..to].CopyTo(scratch[(int)(from - first)..]);
                    }
                }

                var exact = fraction * (double)_phases / _denominator;
                var row = (int)exact;
                var weight = (float)(exact - row);
                var lower = Dot(ref Unsafe.Add(ref table, (nint)row * _taps), ref window, _taps);
                var upper = Dot(ref Unsafe.Add(ref table, (nint)(row + 1) * _taps), ref window, _taps);
                output[n] = lower + ((upper - lower) * weight);
            }
        }


        /// <summary>
        /// Output values for the outputs <paramref name="target"/>[k x <paramref name="outputStride"/>], k = 0 .. 7, whose
        /// windows start at <paramref name="window"/> + k x <paramref name="stride"/> and share <paramref name="row"/>;
        /// each is summed in the order of <see cref="DotOneLane"/>, so a block and a lone output agree bit for bit.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void DotBlock512(ref float row, ref float window, nint stride, int taps, ref float target, int outputStride)
        {
            ref var w1 = ref Unsafe.Add(ref window, stride);
            ref var w2 = ref Unsafe.Add(ref window, 2 * stride);
            ref var w3 = ref Unsafe.Add(ref window, 3 * stride);
            ref var w4 = ref Unsafe.Add(ref window, 4 * stride);
            ref var w5 = ref Unsafe.Add(ref window, 5 * stride);
            ref var w6 = ref Unsafe.Add(ref window, 6 * stride);
            ref var w7 = ref Unsafe.Add(ref window, 7 * stride);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (nuint j = 0; j < (nuint)taps; j += 16)
            {
                var c = Vector512.LoadUnsafe(ref row, j);
                s0 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref window, j), s0);
                s1 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w1, j), s1);
                s2 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w2, j), s2);
                s3 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w3, j), s3);
                s4 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w4, j), s4);
                s5 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w5, j), s5);
                s6 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w6, j), s6);
                s7 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref w7, j), s7);
            }

            target = Vector512.Sum(s0);
            Unsafe.Add(ref target, outputStride) = Vector512.Sum(s1);
            Unsafe.Add(ref target, 2 * outputStride) = Vector512.Sum(s2);
            Unsafe.Add(ref target, 3 * outputStride) = Vector512.Sum(s3);
            Unsafe.Add(ref target, 4 * outputStride) = Vector512.Sum(s4);
            Unsafe.Add(ref target, 5 * outputStride) = Vector512.Sum(s5);
            Unsafe.Add(ref target, 6 * outputStride) = Vector512.Sum(s6);
            Unsafe.Add(ref target, 7 * outputStride) = Vector512.Sum(s7);
        }

        /// <summary><see cref="DotBlock512"/> with 256-bit vectors.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void DotBlock256(ref float row, ref float window, nint stride, int taps, ref float target, int outputStride)
        {
            ref var w1 = ref Unsafe.Add(ref window, stride);
            ref var w2 = ref Unsafe.Add(ref window, 2 * stride);
            ref var w3 = ref Unsafe.Add(ref window, 3 * stride);
            ref var w4 = ref Unsafe.Add(ref window, 4 * stride);
            ref var w5 = ref Unsafe.Add(ref window, 5 * stride);
            ref var w6 = ref Unsafe.Add(ref window, 6 * stride);
            ref var w7 = ref Unsafe.Add(ref window, 7 * stride);
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (nuint j = 0; j < (nuint)taps; j += 8)
            {
                var c = Vector256.LoadUnsafe(ref row, j);
                s0 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref window, j), s0);
                s1 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w1, j), s1);
                s2 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w2, j), s2);
                s3 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w3, j), s3);
                s4 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w4, j), s4);
                s5 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w5, j), s5);
                s6 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w6, j), s6);
                s7 = Vector256.FusedMultiplyAdd(c, Vector256.LoadUnsafe(ref w7, j), s7);
            }

            target = Vector256.Sum(s0);
            Unsafe.Add(ref target, outputStride) = Vector256.Sum(s1);
            Unsafe.Add(ref target, 2 * outputStride) = Vector256.Sum(s2);
            Unsafe.Add(ref target, 3 * outputStride) = Vector256.Sum(s3);
            Unsafe.Add(ref target, 4 * outputStride) = Vector256.Sum(s4);
            Unsafe.Add(ref target, 5 * outputStride) = Vector256.Sum(s5);
            Unsafe.Add(ref target, 6 * outputStride) = Vector256.Sum(s6);
            Unsafe.Add(ref target, 7 * outputStride) = Vector256.Sum(s7);
        }

        /// <summary>One output of the exact-phase path, summed as one lane of <see cref="DotBlock512"/> / <see cref="DotBlock256"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float DotOneLane(ref float row, ref float window, int taps)
        {
            if (UseV512)
            {
                var sum = Vector512<float>.Zero;
                for (nuint j = 0; j < (nuint)taps; j += 16)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, j), Vector512.LoadUnsafe(ref window, j), sum);
                }

                return Vector512.Sum(sum);
            }

            var narrow = Vector256<float>.Zero;
            for (nuint j = 0; j < (nuint)taps; j += 8)
            {
                narrow = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, j), Vector256.LoadUnsafe(ref window, j), narrow);
            }

            return Vector256.Sum(narrow);
        }

        /// <summary>Dot product of two float runs whose length is a multiple of <see cref="RowAlignment"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Dot(ref float coefficients, ref float samples, int count)
        {
            if (UseV512)
            {
                var sum0 = Vector512<float>.Zero;
                var sum1 = Vector512<float>.Zero;
                var sum2 = Vector512<float>.Zero;
                var sum3 = Vector512<float>.Zero;
                var i = 0;
                for (; i + 64 <= count; i += 64)
                {
                    sum0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref coefficients, (nuint)i), Vector512.LoadUnsafe(ref samples, (nuint)i), sum0);
                    sum1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref coefficients, (nuint)(i + 16)), Vector512.LoadUnsafe(ref samples, (nuint)(i + 16)), sum1);
                    sum2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref coefficients, (nuint)(i + 32)), Vector512.LoadUnsafe(ref samples, (nuint)(i + 32)), sum2);
                    sum3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref coefficients, (nuint)(i + 48)), Vector512.LoadUnsafe(ref samples, (nuint)(i + 48)), sum3);
                }

                for (; i < count; i += 16)
                {
                    sum0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref coefficients, (nuint)i), Vector512.LoadUnsafe(ref samples, (nuint)i), sum0);
                }

                return Vector512.Sum((sum0 + sum1) + (sum2 + sum3));
            }

            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            var j = 0;
            for (; j + 32 <= count; j += 32)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref coefficients, (nuint)j), Vector256.LoadUnsafe(ref samples, (nuint)j), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref coefficients, (nuint)(j + 8)), Vector256.LoadUnsafe(ref samples, (nuint)(j + 8)), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref coefficients, (nuint)(j + 16)), Vector256.LoadUnsafe(ref samples, (nuint)(j + 16)), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref coefficients, (nuint)(j + 24)), Vector256.LoadUnsafe(ref samples, (nuint)(j + 24)), a3);
            }

            for (; j < count; j += 8)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref coefficients, (nuint)j), Vector256.LoadUnsafe(ref samples, (nuint)j), a0);
            }

            return Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        private static double BesselI0(double x)
        {
            double sum = 1, term = 1;
            var half = x / 2;
            for (var k = 1; k < 64; k++)
            {
                term *= half / k * (half / k);
                sum += term;
                if (term < sum * 1e-17)
                {
                    break;
                }
            }

            return sum;
        }
    }
}
