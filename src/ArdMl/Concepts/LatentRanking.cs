namespace ArdMl.Concepts;

/// <summary>What pass 1 (retrieve) learned about one latent.</summary>
public sealed class LatentRanking
{
    internal LatentRanking(
        int latent,
        IReadOnlyList<RankedClip> top,
        IReadOnlyList<RankedClip> bottom,
        int activeClipCount,
        long clipCount,
        double coverageSum,
        double representativenessSum,
        float maxRepresentativeness,
        int positiveRepresentativenessCount)
    {
        Latent = latent;
        Top = top;
        Bottom = bottom;
        ActiveClipCount = activeClipCount;
        ActiveClipShare = clipCount == 0 ? 0 : (double)activeClipCount / clipCount;
        MeanCoverage = clipCount == 0 ? 0 : coverageSum / clipCount;
        MeanRepresentativeness = clipCount == 0 ? 0 : representativenessSum / clipCount;
        MaxRepresentativeness = activeClipCount == 0 ? 0 : maxRepresentativeness;
        PositiveRepresentativenessCount = positiveRepresentativenessCount;
    }

    /// <summary>The latent's index.</summary>
    public int Latent { get; }

    /// <summary>H: the most representative clips, best first (score descending, then clip id ascending, ordinal).</summary>
    public IReadOnlyList<RankedClip> Top { get; }

    /// <summary>
    /// L: the least representative clips, least first (score ascending, then clip id descending, ordinal: the last p
    /// of the same ranking H is the head of). Never shares a clip with <see cref="Top"/>: when fewer than 2p clips are
    /// candidates, L holds the candidates left after H (possibly fewer than p, possibly none).
    /// </summary>
    public IReadOnlyList<RankedClip> Bottom { get; }

    /// <summary>Number of clips where the latent fires (coverage &gt; 0).</summary>
    public int ActiveClipCount { get; }

    /// <summary>Activation density: share of all clips where the latent fires.</summary>
    public double ActiveClipShare { get; }

    /// <summary>Mean coverage over all clips (silent clips count as 0).</summary>
    public double MeanCoverage { get; }

    /// <summary>Mean r over all clips (silent clips count as 0).</summary>
    public double MeanRepresentativeness { get; }

    /// <summary>Largest r over the clips where the latent fires (0 for a dead latent).</summary>
    public float MaxRepresentativeness { get; }

    /// <summary>Number of clips with r &gt; 0.</summary>
    public int PositiveRepresentativenessCount { get; }

    /// <summary>True when the latent never fired on any clip: it is reported as dead and never named.</summary>
    public bool IsDead => ActiveClipCount == 0;
}
