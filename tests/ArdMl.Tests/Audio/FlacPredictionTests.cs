using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

public sealed class FlacPredictionTests
{
    [SkippableFact]
    public void PairedLpcRestorationEqualsOneChannelAtATime()
    {
        Skip.IfNot(FlacPrediction.IsPairAccelerated, "paired LPC restoration needs AVX-512 (DQ, VL); the decoder restores one channel at a time here");
        var random = new Random(42);
        for (var trial = 0; trial < 400; trial++)
        {
            var length = trial % 10 == 0 ? random.Next(1, 12) : random.Next(16, 4097);
            var (leftOrder, rightOrder) = (random.Next(1, FlacPrediction.MaxPairedOrder + 1), random.Next(1, FlacPrediction.MaxPairedOrder + 1));
            var (leftShift, rightShift) = (random.Next(0, 16), random.Next(0, 16));
            var bits = random.Next(4, 34); // up to a 32-bit source's 33-bit side channel: sums wrap as in the scalar path
            var (left, leftCoefficients) = (Residuals(random, length, bits), Coefficients(random, leftOrder));
            var (right, rightCoefficients) = (Residuals(random, length, bits), Coefficients(random, rightOrder));
            var (expectedLeft, expectedRight) = ((long[])left.Clone(), (long[])right.Clone());
            FlacPrediction.RestoreLpc(expectedLeft, leftCoefficients, leftOrder, leftShift);
            FlacPrediction.RestoreLpc(expectedRight, rightCoefficients, rightOrder, rightShift);

            FlacPrediction.RestoreLpcPair(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift);

            left.Should().Equal(expectedLeft, $"trial {trial}: order {leftOrder}, shift {leftShift}, {length} samples");
            right.Should().Equal(expectedRight, $"trial {trial}: order {rightOrder}, shift {rightShift}, {length} samples");
        }
    }

    [SkippableFact]
    public void Paired_32_bit_restoration_equals_one_channel_at_a_time_on_real_and_corrupt_blocks()
    {
        Skip.IfNot(FlacPrediction.IsPair32Accelerated, "32-bit paired LPC restoration needs AVX2");
        var random = new Random(7);
        int fast = 0;
        for (var trial = 0; trial < 600; trial++)
        {
            var length = trial % 10 == 0 ? random.Next(1, 12) : random.Next(16, 4097);
            var (leftOrder, rightOrder) = (random.Next(1, FlacPrediction.MaxPairedOrder + 1), random.Next(1, FlacPrediction.MaxPairedOrder + 1));
            var (leftShift, rightShift) = (random.Next(8, 16), random.Next(8, 16));
            var (leftBits, rightBits) = (random.Next(4, 25), random.Next(4, 25));
            var leftCoefficients = FittingCoefficients(random, leftOrder, leftBits);
            var rightCoefficients = FittingCoefficients(random, rightOrder, rightBits);
            FlacPrediction.SumsFitInt32(leftCoefficients, leftOrder, leftBits).Should().BeTrue();
            FlacPrediction.SumsFitInt32(rightCoefficients, rightOrder, rightBits).Should().BeTrue();

            // A third of the blocks are what an encoder writes (residuals of a signal within its bits); the rest are
            // corrupt: wild residuals, so samples leave their bits and the 64-bit path takes over mid-block.
            var corrupt = trial % 3 != 0;
            var left = corrupt ? Residuals(random, length, random.Next(4, 34)) : EncodedResiduals(random, length, leftBits, leftCoefficients, leftOrder, leftShift);
            var right = corrupt ? Residuals(random, length, random.Next(4, 34)) : EncodedResiduals(random, length, rightBits, rightCoefficients, rightOrder, rightShift);
            var (expectedLeft, expectedRight) = ((long[])left.Clone(), (long[])right.Clone());
            FlacPrediction.RestoreLpc(expectedLeft, leftCoefficients, leftOrder, leftShift);
            FlacPrediction.RestoreLpc(expectedRight, rightCoefficients, rightOrder, rightShift);

            FlacPrediction.RestoreLpcPair32(left, right, leftCoefficients, rightCoefficients, leftOrder, rightOrder, leftShift, rightShift, leftBits, rightBits);

            left.Should().Equal(expectedLeft, $"trial {trial}: order {leftOrder}, shift {leftShift}, {leftBits} bits, {length} samples");
            right.Should().Equal(expectedRight, $"trial {trial}: order {rightOrder}, shift {rightShift}, {rightBits} bits, {length} samples");
            if (!corrupt && length > 16)
            {
                fast++;
            }
        }

        fast.Should().BeGreaterThan(150, "most encoder-like blocks of the test exercise the 32-bit lanes end to end");
    }

    [Fact]
    public void Sums_fit_in_32_bits_only_below_the_bound()
    {
        long[] coefficients = [1 << 14, -(1 << 14), 0, 0];
        FlacPrediction.SumsFitInt32(coefficients, 2, 16).Should().BeTrue("Σ|c| · 2^15 = 2^30");
        FlacPrediction.SumsFitInt32(coefficients, 2, 17).Should().BeFalse("Σ|c| · 2^16 = 2^31 passes 2^31 − 1");
        FlacPrediction.SumsFitInt32([1, 0, 0, 0], 1, 25).Should().BeFalse("the 32-bit lanes take samples of up to 24 bits");
    }

    /// <summary>Residuals an encoder would write for a random walk within <paramref name="bits"/>.</summary>
    private static long[] EncodedResiduals(Random random, int length, int bits, long[] coefficients, int order, int shift)
    {
        var limit = (1L << (bits - 1)) - 1;
        var signal = new long[length];
        long value = 0;
        for (var i = 0; i < length; i++)
        {
            value = Math.Clamp(value + random.NextInt64(-(limit / 8) - 1, (limit / 8) + 2), -limit - 1, limit);
            signal[i] = value;
        }

        var residuals = (long[])signal.Clone();
        for (var i = order; i < length; i++)
        {
            long sum = 0;
            for (var j = 0; j < order; j++)
            {
                sum += coefficients[j] * signal[i - 1 - j];
            }

            residuals[i] = signal[i] - (sum >> shift);
        }

        return residuals;
    }

    /// <summary>Coefficients whose absolute sum keeps every sum of <paramref name="bits"/>-bit samples within 32 bits.</summary>
    private static long[] FittingCoefficients(Random random, int order, int bits)
    {
        var budget = int.MaxValue >> (bits - 1);
        var perTap = Math.Max(1, Math.Min(1L << 14, budget / order));
        return [.. Enumerable.Range(0, 36).Select(j => j < order ? random.NextInt64(-perTap, perTap + 1) : 0)];
    }

    private static long[] Residuals(Random random, int length, int bits) =>
        [.. Enumerable.Range(0, length).Select(_ => random.NextInt64(-(1L << (bits - 1)), 1L << (bits - 1)))];

    /// <summary>Coefficients of up to 15 bits, followed by the zeros the decoder's padded arrays hold.</summary>
    private static long[] Coefficients(Random random, int order) =>
        [.. Enumerable.Range(0, 36).Select(j => j < order ? random.NextInt64(-(1L << 14), 1L << 14) : 0)];
}
