using ArdMl.Evaluation;

namespace ArdMl.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    [Fact]
    public void AveragePrecisionWithoutTiesIsMeanPrecisionAtEachPositiveRank()
    {
        // Ranks 1, 3, 5 are relevant: (1/1 + 2/3 + 3/5) / 3.
        double ap = RankingMetrics.AveragePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [true, false, true, false, true]);
        ap.Should().BeApproximately((1.0 + (2.0 / 3) + 0.6) / 3, 1e-12);
    }

    [Fact]
    public void AveragePrecisionIsIndependentOfInputOrder()
    {
        double[] scores = [0.2, 0.9, 0.4, 0.7, 0.1];
        bool[] relevant = [true, false, true, true, false];
        double reference = RankingMetrics.AveragePrecision(scores, relevant);
        // Sorted: 0.9 F, 0.7 T, 0.4 T, 0.2 T, 0.1 F → (1/2 + 2/3 + 3/4) / 3.
        reference.Should().BeApproximately((0.5 + (2.0 / 3) + 0.75) / 3, 1e-12);
        var permutation = new[] { 4, 2, 0, 3, 1 };
        RankingMetrics.AveragePrecision([.. permutation.Select(i => scores[i])], [.. permutation.Select(i => relevant[i])])
            .Should().Be(reference);
    }

    [Fact]
    public void AveragePrecisionTreatsTiedScoresAsOneStep()
    {
        // 0.9 T | 0.5 {T, F, T} | 0.1 F. Grouped: 1/3·1 + 2/3·3/4 = 5/6.
        // (Ordering the tie optimistically gives 1, pessimistically 0.8056, by input order 0.9167.)
        double[] scores = [0.9, 0.5, 0.5, 0.5, 0.1];
        bool[] relevant = [true, true, false, true, false];
        RankingMetrics.AveragePrecision(scores, relevant).Should().BeApproximately(5.0 / 6, 1e-12);
        RankingMetrics.AveragePrecision([0.5, 0.5, 0.9, 0.1, 0.5], [false, true, true, false, true])
            .Should().BeApproximately(5.0 / 6, 1e-12);
    }

    [Fact]
    public void AveragePrecisionIsNaNWithoutPositivesAndRejectsBadInput()
    {
        RankingMetrics.AveragePrecision([0.3, 0.2], [false, false]).Should().Be(double.NaN);
        FluentActions.Invoking(() => RankingMetrics.AveragePrecision([0.3], [true, false]))
            .Should().Throw<ArgumentException>().WithMessage("*1 scores but 2 relevance flags*");
        FluentActions.Invoking(() => RankingMetrics.AveragePrecision([double.NaN], [true]))
            .Should().Throw<ArgumentException>().WithMessage("*Score 0 is NaN*");
    }

    [Fact]
    public void ThresholdMaximisesF1AndSitsHalfwayToTheFirstRejectedScore()
    {
        // Cuts: after 0.9 F1=1/2, 0.8 → 2/5, 0.7 → 2/3, 0.6 → 6/7 (best), 0.4 → 3/4, 0.2 → 2/3.
        var choice = RankingMetrics.ChooseThreshold(
            [0.4, 0.9, 0.2, 0.7, 0.8, 0.6], [false, true, false, true, false, true]);
        choice.Threshold.Should().BeApproximately(0.5, 1e-12);
        choice.HeldOutF1.Should().BeApproximately(6.0 / 7, 1e-12);
    }

    [Fact]
    public void ThresholdPrefersTheHigherCutOnEqualF1()
    {
        // After 0.9: F1 = 2/3; after 0.6: 4/6 = 2/3 as well; the higher cut wins.
        var choice = RankingMetrics.ChooseThreshold([0.9, 0.8, 0.7, 0.6, 0.1], [true, false, false, true, false]);
        choice.Threshold.Should().BeApproximately(0.85, 1e-12);
        choice.HeldOutF1.Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void ThresholdKeepsTiedScoresTogether()
    {
        // 0.9 F | 0.5 {T, T, F} | 0.1 F: best cut accepts the whole tie (F1 4/6), threshold (0.5 + 0.1) / 2.
        var choice = RankingMetrics.ChooseThreshold([0.9, 0.5, 0.5, 0.5, 0.1], [false, true, true, false, false]);
        choice.Threshold.Should().BeApproximately(0.3, 1e-12);
        choice.HeldOutF1.Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void ThresholdAcceptingEveryClipIsTheLowestScoreAndNoPositivesPredictNothing()
    {
        RankingMetrics.ChooseThreshold([0.3, 0.2], [true, true]).Threshold.Should().Be(0.2);
        var none = RankingMetrics.ChooseThreshold([0.3, 0.2], [false, false]);
        none.Threshold.Should().Be(double.PositiveInfinity);
        none.HeldOutF1.Should().Be(0);
    }

    [Fact]
    public void DetectionScoresDefineZeroDenominatorsAsZero()
    {
        DetectionScores.FromCounts(0, 0, 3).Should().Be(new DetectionScores(0, 0, 0));
        DetectionScores.FromCounts(3, 1, 2).Should().Be(new DetectionScores(0.75, 0.6, 6.0 / 9));
    }
}
