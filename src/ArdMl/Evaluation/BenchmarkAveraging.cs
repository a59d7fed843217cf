namespace ArdMl.Evaluation;

/// <summary>Which average of precision, recall and F1 a <see cref="BenchmarkTable"/> shows.</summary>
public enum BenchmarkAveraging
{
    /// <summary>Mean of the per-concept scores (the default, consistent with mAP being a mean over concepts).</summary>
    Macro,

    /// <summary>Scores of the pooled TP/FP/FN counts.</summary>
    Micro,
}
