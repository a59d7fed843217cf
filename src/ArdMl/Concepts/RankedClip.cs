namespace ArdMl.Concepts;

/// <summary>A clip in a latent's top set H or bottom set L.</summary>
/// <param name="ClipId">The clip's id.</param>
/// <param name="Representativeness">r = μ·c of the latent on the clip (whatever the ranking criterion).</param>
/// <param name="Score">The value the clip was ranked by (equals r under <see cref="RankingCriterion.MeanTimesCoverage"/>).</param>
public readonly record struct RankedClip(string ClipId, float Representativeness, float Score);
