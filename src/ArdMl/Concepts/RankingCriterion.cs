namespace ArdMl.Concepts;

/// <summary>
/// How <see cref="ConceptRanker"/> orders the clips of a latent. <see cref="MeanTimesCoverage"/> is AR&amp;D; the others
/// are the paper's baselines, run by the same ranker so that only the criterion differs.
/// </summary>
public enum RankingCriterion
{
    /// <summary>AR&amp;D: representativeness r = μ·c (mean activation times coverage).</summary>
    MeanTimesCoverage = 0,

    /// <summary>Baseline: rank by mean activation μ only.</summary>
    MeanActivation = 1,

    /// <summary>Baseline: rank by coverage c only (share of frames where the latent fires).</summary>
    Coverage = 2,

    /// <summary>
    /// Baseline "random representative clips": every clip where the latent fires gets a seeded pseudo-random key in
    /// (0, 1] derived from (seed, clip id, latent), so H and L are uniform random samples of the active clips that do
    /// not depend on the order in which clips arrive. Clips where the latent is silent score 0.
    /// </summary>
    Random = 3,
}
