namespace ArdMl.Concepts;

/// <summary>
/// Concept ranking kept no latent. The counts say why: latents that never fire, latents that fire on too few clips
/// to form top and bottom sets of the configured size, and latents scored at or below the minimum monosemanticity.
/// With a small corpus the second reason dominates: fewer latents (each then fires on more clips), fewer clips per
/// set or more clips help; a lower minimum monosemanticity helps only the scored latents.
/// </summary>
public sealed class NoConceptFoundException : InvalidOperationException
{
    /// <summary>Creates the exception from the ranking's counts.</summary>
    /// <param name="clipCount">Clips ranked.</param>
    /// <param name="latentCount">Latents of the SAE.</param>
    /// <param name="deadLatents">Latents that never fire.</param>
    /// <param name="tooFewClipLatents">Latents that fire, but on fewer than <paramref name="clipsPerSet"/> + 2 clips.</param>
    /// <param name="scoredLatents">Latents with a monosemanticity score (none passed the minimum).</param>
    /// <param name="clipsPerSet">Top clips per set (p).</param>
    /// <param name="minimumMonosemanticity">The minimum monosemanticity (null: none).</param>
    public NoConceptFoundException(int clipCount, int latentCount, int deadLatents, int tooFewClipLatents, int scoredLatents, int clipsPerSet, double? minimumMonosemanticity)
        : base(
            $"RankConcepts: no concept found among {latentCount} latents over {clipCount} clips: {deadLatents} never fire, " +
            $"{tooFewClipLatents} fire on fewer than {clipsPerSet + 2} clips (p = {clipsPerSet} top clips and at least two bottom clips are needed), " +
            $"{scoredLatents} scored {(minimumMonosemanticity is { } min ? $"at or below the minimum monosemanticity {min.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "but were not kept")}. " +
            "Use fewer latents (LatentCount) so that each fires on more clips, fewer clips per set (ClipsPerSet) or more clips; " +
            "a lower MinimumMonosemanticity helps only the scored latents.")
    {
        ClipCount = clipCount;
        LatentCount = latentCount;
        DeadLatents = deadLatents;
        TooFewClipLatents = tooFewClipLatents;
        ScoredLatents = scoredLatents;
        ClipsPerSet = clipsPerSet;
        MinimumMonosemanticity = minimumMonosemanticity;
    }

    /// <summary>Clips ranked.</summary>
    public int ClipCount { get; }

    /// <summary>Latents of the SAE.</summary>
    public int LatentCount { get; }

    /// <summary>Latents that never fire.</summary>
    public int DeadLatents { get; }

    /// <summary>Latents that fire on fewer than <see cref="ClipsPerSet"/> + 2 clips.</summary>
    public int TooFewClipLatents { get; }

    /// <summary>Latents with a monosemanticity score, none above the minimum.</summary>
    public int ScoredLatents { get; }

    /// <summary>Top clips per set (p).</summary>
    public int ClipsPerSet { get; }

    /// <summary>The minimum monosemanticity (null: none).</summary>
    public double? MinimumMonosemanticity { get; }
}
