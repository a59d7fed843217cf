namespace ArdMl.Concepts;

/// <summary>One named concept of a <see cref="ConceptDictionary"/>: a selected SAE latent.</summary>
public sealed record Concept
{
    /// <summary>The latent's index.</summary>
    public required int Latent { get; init; }

    /// <summary>The concept's name.</summary>
    public required string Name { get; init; }

    /// <summary>Where the name came from.</summary>
    public required NamingSource NamingSource { get; init; }

    /// <summary>Why a better name could not be made (for example a failed language model), or null.</summary>
    public string? NamingFailure { get; init; }

    /// <summary>The captions or labels the name was made from.</summary>
    public IReadOnlyList<string> CaptionsUsed { get; init; } = [];

    /// <summary>Monosemanticity m = (E_H − E_L) / σ_pooled.</summary>
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

    /// <summary>Number of clips where the latent fires.</summary>
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

    /// <summary>H: the most representative clips with their r, best first.</summary>
    public IReadOnlyList<RankedClip> Top { get; init; } = [];

    /// <summary>L: the least representative clips with their r, least first.</summary>
    public IReadOnlyList<RankedClip> Bottom { get; init; } = [];
}
