namespace ArdMl.Concepts;

/// <summary>The monosemanticity of one latent: m = (E_H − E_L) / σ_pooled.</summary>
/// <param name="Latent">The latent's index.</param>
/// <param name="Status">Whether the score is defined.</param>
/// <param name="Score">m, or NaN where <paramref name="Status"/> is not <see cref="MonosemanticityStatus.Scored"/>.</param>
/// <param name="TopCohesion">E_H: mean pairwise cosine similarity inside H (NaN where undefined).</param>
/// <param name="BottomCohesion">E_L: mean pairwise cosine similarity inside L (NaN where undefined).</param>
/// <param name="PooledStandardDeviation">σ_pooled before the floor is applied (NaN where undefined).</param>
public readonly record struct MonosemanticityScore(
    int Latent,
    MonosemanticityStatus Status,
    double Score,
    double TopCohesion,
    double BottomCohesion,
    double PooledStandardDeviation);
