using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ArdMl.Audio;

/// <summary>Restores FLAC samples from residuals: the fixed polynomial predictors and LPC, in place.</summary>
internal static class FlacPrediction
{
    /// <summary>The largest order <see cref="RestoreLpcPair"/> takes.</summary>
    public const int MaxPairedOrder = 8;

    /// <summary>
    /// Whether <see cref="RestoreLpcPair"/> can run: it needs 64-bit lane multiplies (AVX-512DQ) and per-lane arithmetic
    /// shifts (AVX-512F); elsewhere the channels are restored one by one.
    /// </summary>
    public static bool IsPairAccelerated { get; } = Avx512DQ.VL.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>
    /// Whether <see cref="RestoreLpcPair32"/> can run: 32-bit lane multiplies and per-lane arithmetic shifts (AVX2),
    /// for the channels whose sums <see cref="SumsFitInt32"/>; used where <see cref="IsPairAccelerated"/> is false.
    /// </summary>
    public static bool IsPair32Accelerated { get; } = Avx2.IsSupported;

    /// <summary>
    /// Whether every LPC sum of a channel of <paramref name="bitsPerSample"/>-bit samples fits in 32 bits: with
    /// |x| ≤ 2^(bits − 1), |Σ c_j·x_j| ≤ Σ|c_j|·2^(bits − 1), which must not pass 2^31 − 1. Up to 24-bit samples.
    /// </summary>
    public static bool SumsFitInt32(ReadOnlySpan<long> coefficients, int order, int bitsPerSample)
    {
        if (bitsPerSample is < 1 or > 24)
        {
            return false;
        }

        long total = 0;
        for (var j = 0; j < order; j++)
        {
            total += Math.Abs(coefficients[j]);
        }

        return total <= (int.MaxValue >> (bitsPerSample - 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RestoreFixed(Span<long> x, int order)
    {
        // The newest samples stay in registers so that each step waits only on arithmetic, not on memory.
        if (order == 1)
        {
            var a = x[0];
            for (var i = 1; i < x.Length; i++)
            {
                a += x[i];
                x[i] = a;
            }
        }
        else if (order == 2)
        {
            long b = x[0], a = x[1];
            for (var i = 2; i < x.Length; i++)
            {
                var next = x[i] + (2 * a) - b;
                x[i] = next;
                b = a;
                a = next;
            }
        }
        else if (order == 3)
        {
            long c = x[0], b = x[1], a = x[2];
            for (var i = 3; i < x.Length; i++)
            {
                var next = x[i] + (3 * (a - b)) + c;
                x[i] = next;
                c = b;
                b = a;
                a = next;
            }
        }
        else if (order == 4)
        {
            long d = x[0], c = x[1], b = x[2], a = x[3];
            for (var i = 4; i < x.Length; i++)
            {
                var next = x[i] + (4 * (a + c)) - (6 * b) - d;
                x[i] = next;
                d = c;
                c = b;
                b = a;
                a = next;
            }
        }
    }

    /// <summary>
    /// Adds the LPC prediction to the residuals in place. <paramref name="paddedCoefficients"/> holds the order's
    /// coefficients followed by at least three zeros, so the older taps run in whole groups of four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RestoreLpc(Span<long> x, ReadOnlySpan<long> paddedCoefficients, int order, int shift)
    {
        if (x.Length <= order)
        {
            return;
        }

        ref var c = ref MemoryMarshal.GetReference(paddedCoefficients);
        ref var first = ref MemoryMarshal.GetReference(x);
        var newestCoefficient = c;
        var previous = Unsafe.Add(ref first, order - 1);
        var groups = (order + 2) / 4; // groups of four older taps (j = 1 .. order - 1, zero-padded)
        var safeStart = Math.Min(x.Length, order + 3); // from here the padded taps stay inside the block
        for (var i = order; i < safeStart; i++)
        {
            long sum = 0;
            for (var j = 1; j < order; j++)
            {
                sum += Unsafe.Add(ref c, j) * Unsafe.Add(ref first, i - 1 - j);
            }

            previous = Unsafe.Add(ref first, i) + ((sum + (newestCoefficient * previous)) >> shift);
            Unsafe.Add(ref first, i) = previous;
        }

        for (var i = safeStart; i < x.Length; i++)
        {
            // coefficients[j] multiplies x[i - 1 - j]; the newest sample's term (held in a register) is added last so
            // that the older terms are summed while the previous sample is still being computed.
            ref var older = ref Unsafe.Add(ref first, i - 2);
            ref var taps = ref Unsafe.Add(ref c, 1);
            long sum = 0;
            for (var g = 0; g < groups; g++)
            {
                sum += (taps * older)
                    + (Unsafe.Add(ref taps, 1) * Unsafe.Subtract(ref older, 1))
                    + (Unsafe.Add(ref taps, 2) * Unsafe.Subtract(ref older, 2))
                    + (Unsafe.Add(ref taps, 3) * Unsafe.Subtract(ref older, 3));
                taps = ref Unsafe.Add(ref taps, 4);
                older = ref Unsafe.Subtract(ref older, 4);
            }

            previous = Unsafe.Add(ref first, i) + ((sum + (newestCoefficient * previous)) >> shift);
            Unsafe.Add(ref first, i) = previous;
        }
    }

    /// <summary>
    /// <see cref="RestoreLpc"/> for the two channels of a stereo frame at once, each SIMD lane one channel: the two
    /// recurrences run side by side, so each step's multiplies serve two samples. Both blocks have the same length; the
    /// shifts and the orders may differ (at most <see cref="MaxPairedOrder"/>), and the coefficient arrays hold zeros beyond
    /// them. Exact: the same wrapping 64-bit sums as <see cref="RestoreLpc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RestoreLpcPair(
        Span<long> left, Span<long> right, ReadOnlySpan<long> leftCoefficients, ReadOnlySpan<long> rightCoefficients,
        int leftOrder, int rightOrder, int leftShift, int rightShift)
    {
        if (!CatchUp(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, out var order))
        {
            return;
        }

        var shifts = Vector128.Create((ulong)leftShift, (ulong)rightShift);

        var c0 = Vector128.Create(leftCoefficients[0], rightCoefficients[0]);
        var c1 = Vector128.Create(leftCoefficients[1], rightCoefficients[1]);
        var c2 = Vector128.Create(leftCoefficients[2], rightCoefficients[2]);
        var c3 = Vector128.Create(leftCoefficients[3], rightCoefficients[3]);
        var c4 = Vector128.Create(leftCoefficients[4], rightCoefficients[4]);
        var c5 = Vector128.Create(leftCoefficients[5], rightCoefficients[5]);
        var c6 = Vector128.Create(leftCoefficients[6], rightCoefficients[6]);
        var c7 = Vector128.Create(leftCoefficients[7], rightCoefficients[7]);

        // h_j holds sample i - 1 - j of both channels (zero before the block start, where the coefficients are zero).
        var h0 = Pair(left, right, order - 1);
        var h1 = Pair(left, right, order - 2);
        var h2 = Pair(left, right, order - 3);
        var h3 = Pair(left, right, order - 4);
        var h4 = Pair(left, right, order - 5);
        var h5 = Pair(left, right, order - 6);
        var h6 = Pair(left, right, order - 7);
        var h7 = Pair(left, right, order - 8);

        ref var l = ref MemoryMarshal.GetReference(left);
        ref var r = ref MemoryMarshal.GetReference(right);
        for (var i = order; i < left.Length; i++)
        {
            var older = ((c1 * h1) + (c2 * h2)) + ((c3 * h3) + (c4 * h4)) + ((c5 * h5) + (c6 * h6)) + (c7 * h7);
            var residual = Vector128.Create(Unsafe.Add(ref l, i), Unsafe.Add(ref r, i));
            var sample = residual + Avx512F.VL.ShiftRightArithmeticVariable(older + (c0 * h0), shifts);
            Unsafe.Add(ref l, i) = sample.GetElement(0);
            Unsafe.Add(ref r, i) = sample.GetElement(1);
            h7 = h6;
            h6 = h5;
            h5 = h4;
            h4 = h3;
            h3 = h2;
            h2 = h1;
            h1 = h0;
            h0 = sample;
        }
    }

    /// <summary>
    /// The start both paired paths share: each channel restored on its own up to the common order (the lower-order
    /// channel catches up to the common start). False when the block is no longer than that order, and so done.
    /// </summary>
    private static bool CatchUp(
        Span<long> left, Span<long> right, ReadOnlySpan<long> leftCoefficients, ReadOnlySpan<long> rightCoefficients,
        int leftOrder, int rightOrder, int leftShift, int rightShift, out int order)
    {
        order = Math.Max(leftOrder, rightOrder);
        var end = Math.Min(order, left.Length);
        RestoreLpc(left[..end], leftCoefficients, leftOrder, leftShift);
        RestoreLpc(right[..end], rightCoefficients, rightOrder, rightShift);
        return left.Length > order;
    }

    private static Vector128<long> Pair(ReadOnlySpan<long> left, ReadOnlySpan<long> right, int index) =>
        index >= 0 ? Vector128.Create(left[index], right[index]) : Vector128<long>.Zero;

    /// <summary>
    /// <see cref="RestoreLpcPair"/> in 32-bit lanes, for channels whose coefficients pass <see cref="SumsFitInt32"/>
    /// with <paramref name="leftBits"/> and <paramref name="rightBits"/>: every sum is then exact in 32 bits while the
    /// samples stay within their bits. Each step checks that (and that the residuals are below 2^30); at the first
    /// sample that is not (only a corrupt stream has one), the rest of the block is restored by <see cref="RestoreLpc"/>,
    /// so the result equals the 64-bit path for any input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RestoreLpcPair32(
        Span<long> left, Span<long> right, ReadOnlySpan<long> leftCoefficients, ReadOnlySpan<long> rightCoefficients,
        int leftOrder, int rightOrder, int leftShift, int rightShift, int leftBits, int rightBits)
    {
        if (!CatchUp(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, out var order))
        {
            return;
        }

        var low = Vector128.Create(-(1 << (leftBits - 1)), -(1 << (rightBits - 1)), 0, 0);
        var high = Vector128.Create((1 << (leftBits - 1)) - 1, (1 << (rightBits - 1)) - 1, 0, 0);
        for (var j = 0; j < order; j++)
        {
            if (!InRange(Vector128.Create((int)Math.Clamp(left[j], int.MinValue, int.MaxValue), (int)Math.Clamp(right[j], int.MinValue, int.MaxValue), 0, 0), low, high))
            {
                FinishWide(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, order);
                return;
            }
        }

        var shifts = Vector128.Create((uint)leftShift, (uint)rightShift, 0u, 0u);
        var c0 = Lanes(leftCoefficients, rightCoefficients, 0);
        var c1 = Lanes(leftCoefficients, rightCoefficients, 1);
        var c2 = Lanes(leftCoefficients, rightCoefficients, 2);
        var c3 = Lanes(leftCoefficients, rightCoefficients, 3);
        var c4 = Lanes(leftCoefficients, rightCoefficients, 4);
        var c5 = Lanes(leftCoefficients, rightCoefficients, 5);
        var c6 = Lanes(leftCoefficients, rightCoefficients, 6);
        var c7 = Lanes(leftCoefficients, rightCoefficients, 7);
        var h0 = Lanes(left, right, order - 1);
        var h1 = Lanes(left, right, order - 2);
        var h2 = Lanes(left, right, order - 3);
        var h3 = Lanes(left, right, order - 4);
        var h4 = Lanes(left, right, order - 5);
        var h5 = Lanes(left, right, order - 6);
        var h6 = Lanes(left, right, order - 7);
        var h7 = Lanes(left, right, order - 8);

        ref var l = ref MemoryMarshal.GetReference(left);
        ref var r = ref MemoryMarshal.GetReference(right);
        for (var i = order; i < left.Length; i++)
        {
            long leftResidual = Unsafe.Add(ref l, i), rightResidual = Unsafe.Add(ref r, i);
            if ((ulong)(leftResidual + (1L << 30)) >= (1UL << 31) || (ulong)(rightResidual + (1L << 30)) >= (1UL << 31))
            {
                FinishWide(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, i);
                return;
            }

            var older = ((c1 * h1) + (c2 * h2)) + ((c3 * h3) + (c4 * h4)) + ((c5 * h5) + (c6 * h6)) + (c7 * h7);
            var sample = Vector128.Create((int)leftResidual, (int)rightResidual, 0, 0)
                + Avx2.ShiftRightArithmeticVariable(older + (c0 * h0), shifts);
            if (!InRange(sample, low, high))
            {
                FinishWide(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, i);
                return;
            }

            Unsafe.Add(ref l, i) = sample.GetElement(0);
            Unsafe.Add(ref r, i) = sample.GetElement(1);
            h7 = h6;
            h6 = h5;
            h5 = h4;
            h4 = h3;
            h3 = h2;
            h2 = h1;
            h1 = h0;
            h0 = sample;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InRange(Vector128<int> samples, Vector128<int> low, Vector128<int> high) =>
        (Vector128.LessThan(samples, low) | Vector128.GreaterThan(samples, high)).ExtractMostSignificantBits() == 0;

    /// <summary>Restores both channels from sample <paramref name="start"/> on with the 64-bit path.</summary>
    private static void FinishWide(
        Span<long> left, Span<long> right, ReadOnlySpan<long> leftCoefficients, ReadOnlySpan<long> rightCoefficients,
        int leftOrder, int rightOrder, int leftShift, int rightShift, int start)
    {
        RestoreLpc(left[(start - leftOrder)..], leftCoefficients, leftOrder, leftShift);
        RestoreLpc(right[(start - rightOrder)..], rightCoefficients, rightOrder, rightShift);
    }

    private static Vector128<int> Lanes(ReadOnlySpan<long> left, ReadOnlySpan<long> right, int index) =>
        index >= 0 ? Vector128.Create((int)left[index], (int)right[index], 0, 0) : Vector128<int>.Zero;
}
