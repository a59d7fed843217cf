namespace ArdMl.Evaluation;

/// <summary>
/// Precision, recall and F1 of binary predictions. A ratio whose denominator is zero is defined as 0
/// (no prediction: precision 0; no positive: recall 0; both 0: F1 0).
/// </summary>
/// <param name="Precision">TP / (TP + FP).</param>
/// <param name="Recall">TP / (TP + FN).</param>
/// <param name="F1">2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall.</param>
public sealed record DetectionScores(double Precision, double Recall, double F1)
{
    /// <summary>Scores from counts of true positives, false positives and false negatives.</summary>
    public static DetectionScores FromCounts(long truePositives, long falsePositives, long falseNegatives)
    {
        if (truePositives < 0 || falsePositives < 0 || falseNegatives < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(truePositives), "Counts must not be negative.");
        }

        return new DetectionScores(
            Ratio(truePositives, truePositives + falsePositives),
            Ratio(truePositives, truePositives + falseNegatives),
            Ratio(2 * truePositives, (2 * truePositives) + falsePositives + falseNegatives));
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
