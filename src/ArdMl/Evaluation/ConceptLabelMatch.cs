namespace ArdMl.Evaluation;

/// <summary>The label a concept name was mapped to.</summary>
/// <param name="ConceptName">The concept's name as given.</param>
/// <param name="Label">The matched label (vocabulary spelling), or null when unmapped.</param>
/// <param name="Kind">How it matched.</param>
/// <param name="Similarity">1 for a normalised match, the cosine for an embedding match, the best cosine seen (or NaN
/// without an embedder) when unmapped.</param>
public sealed record ConceptLabelMatch(string ConceptName, string? Label, LabelMatchKind Kind, double Similarity);
