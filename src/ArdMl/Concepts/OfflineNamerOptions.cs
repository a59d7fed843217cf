namespace ArdMl.Concepts;

/// <summary>Options of <see cref="OfflineConceptNamer"/>.</summary>
public sealed class OfflineNamerOptions
{
    /// <summary>Default <see cref="PriorStrength"/>.</summary>
    public const double DefaultPriorStrength = 100;

    /// <summary>
    /// α0 of the informative Dirichlet prior (Monroe, Colaresi &amp; Quinn 2008): each phrase's prior count is
    /// α0 × its share of the corpus's phrases. Larger values shrink rare phrases toward the corpus. Default 100.
    /// </summary>
    public double PriorStrength { get; init; } = DefaultPriorStrength;

    /// <summary>
    /// A phrase must occur in the captions of at least this many H clips, where any phrase does; otherwise the best
    /// phrase of any support is used. Default 2.
    /// </summary>
    public int MinimumSupport { get; init; } = 2;
}
