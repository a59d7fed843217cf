namespace ArdMl.Concepts;

/// <summary>Whether a latent's monosemanticity could be computed, and if not, why.</summary>
public enum MonosemanticityStatus
{
    /// <summary>The score is defined.</summary>
    Scored = 0,

    /// <summary>The latent never fired: it is dead.</summary>
    Dead = 1,

    /// <summary>H has fewer than two clips, so it has no pairwise similarity.</summary>
    TooFewTopClips = 2,

    /// <summary>L has fewer than two clips (the latent fires on fewer than p + 2 candidate clips).</summary>
    TooFewBottomClips = 3,

    /// <summary>Some clip of H or L has no embedding (pass 2 did not see it).</summary>
    MissingEmbeddings = 4,
}
