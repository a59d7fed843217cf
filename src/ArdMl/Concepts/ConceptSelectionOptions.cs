namespace ArdMl.Concepts;

/// <summary>Which latents become concepts (select step).</summary>
public sealed class ConceptSelectionOptions
{
    /// <summary>Default <see cref="MinimumMonosemanticity"/>: an effect size of one pooled standard deviation.</summary>
    public const double DefaultMinimumMonosemanticity = 1.0;

    /// <summary>
    /// Keep only latents whose monosemanticity is strictly above this value; null keeps every scored latent.
    /// Default <see cref="DefaultMinimumMonosemanticity"/>.
    /// </summary>
    public double? MinimumMonosemanticity { get; init; } = DefaultMinimumMonosemanticity;

    /// <summary>
    /// Keep at most this many concepts (the paper's C = 5000), the most monosemantic first; null (default) keeps
    /// all that pass <see cref="MinimumMonosemanticity"/>. For exactly C concepts set the minimum to null.
    /// </summary>
    public int? ConceptCount { get; init; }

    /// <summary>
    /// Selects from <paramref name="scores"/>: scored latents above the minimum, most monosemantic first (ties:
    /// lower latent index first), truncated to <see cref="ConceptCount"/>. Dead and unscored latents never qualify.
    /// </summary>
    public IReadOnlyList<MonosemanticityScore> Select(IEnumerable<MonosemanticityScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (ConceptCount is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ConceptCount), ConceptCount, "ConceptCount must not be negative.");
        }

        var kept = scores
            .Where(s => s.Status == MonosemanticityStatus.Scored && (MinimumMonosemanticity is null || s.Score > MinimumMonosemanticity))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Latent);
        return ConceptCount is { } count ? [.. kept.Take(count)] : [.. kept];
    }
}
