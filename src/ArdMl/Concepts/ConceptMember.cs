namespace ArdMl.Concepts;

/// <summary>
/// One latent of a concept's score (see <see cref="Concept.Members"/>): the concept's score on a clip is
/// Σ <see cref="Weight"/> · x / <see cref="Scale"/> over its members, x being the latent's r = μ·c (or the
/// ranking criterion's own score where a benchmark compares criteria).
/// </summary>
/// <param name="Latent">The latent's index.</param>
/// <param name="Weight">The member's share of the concept: its detection score over the members' sum (the weights sum to 1).</param>
/// <param name="Scale">The mean score of the latent's own H clips, so that every member counts in units of its typical clip (positive).</param>
public readonly record struct ConceptMember(int Latent, double Weight, double Scale);
