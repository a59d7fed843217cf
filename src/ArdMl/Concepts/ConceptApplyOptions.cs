namespace ArdMl.Concepts;

/// <summary>How <see cref="ConceptDictionary.TopConcepts"/> turns concept scores into text.</summary>
public sealed class ConceptApplyOptions
{
    /// <summary>At most this many concept names are listed. Default 3.</summary>
    public int TopConceptCount { get; init; } = 3;

    /// <summary>Only concepts whose score r is strictly above this are listed. Default 0 (the concept is present).</summary>
    public float MinimumScore { get; init; }

    /// <summary>Separator between names. Default ", ".</summary>
    public string Separator { get; init; } = ", ";
}
