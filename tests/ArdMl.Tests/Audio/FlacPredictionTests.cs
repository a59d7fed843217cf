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

    private static long[] Residuals(Random random, int length, int bits) =>
        [.. Enumerable.Range(0, length).Select(_ => random.NextInt64(-(1L << (bits - 1)), 1L << (bits - 1)))];

    /// <summary>Coefficients of up to 15 bits, followed by the zeros the decoder's padded arrays hold.</summary>
    private static long[] Coefficients(Random random, int order) =>
        [.. Enumerable.Range(0, 36).Select(j => j < order ? random.NextInt64(-(1L << 14), 1L << 14) : 0)];
}
