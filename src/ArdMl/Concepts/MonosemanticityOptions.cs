namespace ArdMl.Concepts;

/// <summary>Options of <see cref="MonosemanticityScorer"/>.</summary>
public sealed class MonosemanticityOptions
{
    /// <summary>Default <see cref="MinimumPooledStandardDeviation"/>.</summary>
    public const double DefaultMinimumPooledStandardDeviation = 1e-3;

    /// <summary>
    /// Floor ε of σ_pooled: m = (E_H − E_L) / max(σ_pooled, ε), so sets whose pairwise similarities are all equal
    /// (σ = 0: identical embeddings, or p = 2 with a single pair per set) give a large but finite score with the
    /// right sign, and 0 when E_H = E_L. Default 1e-3.
    /// </summary>
    public double MinimumPooledStandardDeviation { get; init; } = DefaultMinimumPooledStandardDeviation;
}
