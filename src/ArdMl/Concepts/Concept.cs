namespace ArdMl.Concepts;

/// <summary>
/// One named concept of a <see cref="ConceptDictionary"/>: a selected SAE latent, or several latents that carry the
/// same name together (<see cref="Members"/>, see <see cref="ConceptDetectionOptions.MergeByName"/>).
/// </summary>
public sealed record Concept
{
    /// <summary>
    /// The latent's index; for a concept of several latents the member with the largest weight (the statistics, H and
    /// L below are then those of all members, as documented on each).
    /// </summary>
    public required int Latent { get; init; }

    /// <summary>
    /// The latents the concept's score is made of, with their weights and scales, largest weight first (Σ w·r/s; one
    /// member: the latent's r in units of its H clips); empty (default) for a concept scored by its latent's own r = μ·c.
    /// </summary>
    public IReadOnlyList<ConceptMember> Members { get; init; } = [];

    /// <summary>The concept's name.</summary>
    public required string Name { get; init; }

    /// <summary>Where the name came from.</summary>
    public required NamingSource NamingSource { get; init; }

    /// <summary>Why a better name could not be made (for example a failed language model), or null.</summary>
    public string? NamingFailure { get; init; }

    /// <summary>The captions or labels the name was made from.</summary>
    public IReadOnlyList<string> CaptionsUsed { get; init; } = [];

    /// <summary>Monosemanticity m = (E_H − E_L) / σ_pooled (of several latents: the members' weighted mean).</summary>
    public required double Monosemanticity { get; init; }

    /// <summary>
    /// Detection score: how well the latent's r finds clips whose texts carry the concept's name, outside its H clips
    /// (mean over groups of the average precision; see <see cref="ConceptDetectionScorer"/>); null when not scored.
    /// </summary>
    public double? DetectionScore { get; init; }

    /// <summary>E_H: mean pairwise cosine similarity of H's embeddings.</summary>
    public double TopCohesion { get; init; }

    /// <summary>E_L: mean pairwise cosine similarity of L's embeddings.</summary>
    public double BottomCohesion { get; init; }

    /// <summary>Number of clips where the latent fires (of several latents: the primary <see cref="Latent"/>'s, as for the figures below up to H).</summary>
    public int ActiveClipCount { get; init; }

    /// <summary>Activation density: share of clips where the latent fires.</summary>
    public double ActiveClipShare { get; init; }

    /// <summary>Mean coverage over all clips.</summary>
    public double MeanCoverage { get; init; }

    /// <summary>Mean r over all clips.</summary>
    public double MeanRepresentativeness { get; init; }

    /// <summary>Largest r over all clips.</summary>
    public float MaxRepresentativeness { get; init; }

    /// <summary>Number of clips with r &gt; 0.</summary>
    public int PositiveRepresentativenessCount { get; init; }

    /// <summary>H: the most representative clips with their r, best first (of several latents: every member's H, each clip once, by the member's weighted, scaled score).</summary>
    public IReadOnlyList<RankedClip> Top { get; init; } = [];

    /// <summary>L: the least representative clips with their r, least first (of several latents: every member's L, as for H).</summary>
    public IReadOnlyList<RankedClip> Bottom { get; init; } = [];

    /// <summary>The latents the concept's score is made of: <see cref="Latent"/> alone, or the <see cref="Members"/>.</summary>
    public IEnumerable<int> Latents => Members.Count == 0 ? [Latent] : Members.Select(m => m.Latent);
}
