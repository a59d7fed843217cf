namespace ArdMl.Evaluation;

/// <summary>The benchmark's outcome for one concept.</summary>
/// <param name="Match">The label the concept's name was mapped to.</param>
/// <param name="Monosemanticity">The given monosemanticity, or null.</param>
/// <param name="Threshold">The threshold on r chosen on the held-out clips (NaN when unmapped).</param>
/// <param name="HeldOutF1">F1 of that threshold on the held-out clips (NaN when unmapped).</param>
/// <param name="EvaluationPositives">Evaluation clips carrying the mapped label.</param>
/// <param name="TruePositives">Evaluation clips with r ≥ threshold that carry the label.</param>
/// <param name="FalsePositives">Evaluation clips with r ≥ threshold that do not carry it.</param>
/// <param name="FalseNegatives">Evaluation clips below the threshold that carry it.</param>
/// <param name="Scores">Precision, recall and F1 on the evaluation clips.</param>
/// <param name="AveragePrecision">AP of the ranking of evaluation clips by r (NaN without positives or when unmapped).</param>
public sealed record ConceptBenchmarkResult(
    ConceptLabelMatch Match,
    double? Monosemanticity,
    double Threshold,
    double HeldOutF1,
    int EvaluationPositives,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    DetectionScores Scores,
    double AveragePrecision)
{
    /// <summary>Whether the concept enters the averages: mapped, and its label has evaluation positives.</summary>
    public bool IsEvaluated => Match.Label is not null && EvaluationPositives > 0;
}
