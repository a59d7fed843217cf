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

                if (!_interpolate)
                {
                    output[n] = Dot(ref Unsafe.Add(ref table, (nint)(fraction * _taps)), ref window, _taps);
                    continue;
                }

                var exact = fraction * (double)_phases / _denominator;
                var row = (int)exact;
                var weight = (float)(exact - row);
                var lower = Dot(ref Unsafe.Add(ref table, (nint)row * _taps), ref window, _taps);
                var upper = Dot(ref Unsafe.Add(ref table, (nint)(row + 1) * _taps), ref window, _taps);
                output[n] = lower + ((upper - lower) * weight);
            }
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
