namespace ArdMl.Evaluation;

/// <summary>
/// The interpretability benchmark's figures for one method. Averages run over the evaluated concepts (mapped, with
/// at least one positive evaluation clip): micro = scores of the summed TP/FP/FN; macro = mean of the per-concept
/// precision, recall and F1; mAP = mean of the per-concept average precision. All are NaN when no concept is evaluated.
/// </summary>
public sealed class InterpretabilityBenchmarkResult
{
    internal InterpretabilityBenchmarkResult(
        string methodName, IReadOnlyList<ConceptBenchmarkResult> concepts, int heldOutClips, int evaluationClips)
    {
        MethodName = methodName;
        Concepts = concepts;
        HeldOutClipCount = heldOutClips;
        EvaluationClipCount = evaluationClips;
        var evaluated = concepts.Where(c => c.IsEvaluated).ToList();
        EvaluatedConceptCount = evaluated.Count;
        if (evaluated.Count > 0)
        {
            Micro = DetectionScores.FromCounts(
                evaluated.Sum(c => (long)c.TruePositives), evaluated.Sum(c => (long)c.FalsePositives), evaluated.Sum(c => (long)c.FalseNegatives));
            Macro = new DetectionScores(
                evaluated.Average(c => c.Scores.Precision), evaluated.Average(c => c.Scores.Recall), evaluated.Average(c => c.Scores.F1));
            MeanAveragePrecision = evaluated.Average(c => c.AveragePrecision);
        }
        else
        {
            Micro = Macro = new DetectionScores(double.NaN, double.NaN, double.NaN);
            MeanAveragePrecision = double.NaN;
        }

        var ms = concepts.Where(c => c.Monosemanticity is { } v && double.IsFinite(v)).Select(c => c.Monosemanticity!.Value).ToList();
        MeanMonosemanticity = ms.Count > 0 ? ms.Average() : double.NaN;
    }

    /// <summary>The method's display name.</summary>
    public string MethodName { get; }

    /// <summary>Per-concept outcomes, in input order.</summary>
    public IReadOnlyList<ConceptBenchmarkResult> Concepts { get; }

    /// <summary>Micro-averaged precision, recall and F1.</summary>
    public DetectionScores Micro { get; }

    /// <summary>Macro-averaged (per concept) precision, recall and F1.</summary>
    public DetectionScores Macro { get; }

    /// <summary>Mean of the evaluated concepts' average precision.</summary>
    public double MeanAveragePrecision { get; }

    /// <summary>Mean monosemanticity over all concepts that carry a finite score (NaN when none does).</summary>
    public double MeanMonosemanticity { get; }

    /// <summary>Number of concepts given.</summary>
    public int ConceptCount => Concepts.Count;

    /// <summary>Number of concepts mapped to a label.</summary>
    public int MappedConceptCount => Concepts.Count(c => c.Match.Label is not null);

    /// <summary>Number of concepts in the averages.</summary>
    public int EvaluatedConceptCount { get; }

    /// <summary>Names of the concepts that matched no label.</summary>
    public IReadOnlyList<string> UnmappedConcepts =>
        [.. Concepts.Where(c => c.Match.Label is null).Select(c => c.Match.ConceptName)];

    /// <summary>Names of mapped concepts left out because their label has no positive evaluation clip.</summary>
    public IReadOnlyList<string> ConceptsWithoutPositives =>
        [.. Concepts.Where(c => c.Match.Label is not null && c.EvaluationPositives == 0).Select(c => c.Match.ConceptName)];

    /// <summary>Clips used to choose thresholds.</summary>
    public int HeldOutClipCount { get; }

    /// <summary>Clips the metrics are computed on.</summary>
    public int EvaluationClipCount { get; }
}
