namespace ArdMl.Evaluation;

/// <summary>One concept entered into the interpretability benchmark.</summary>
/// <param name="Name">The concept's name (mapped to the label vocabulary).</param>
/// <param name="Representativeness">The concept's score r per labelled clip (clip id → r, for AR&amp;D
/// r = mean activation × coverage of its latent); every clip of the label set must have a finite value; extra clips
/// are ignored. For many concepts use a <see cref="ClipScoreColumn"/> per concept over one shared clip index.</param>
/// <param name="Monosemanticity">The concept's monosemanticity score, or null when not computed.</param>
public sealed record BenchmarkConcept(
    string Name, IReadOnlyDictionary<string, double> Representativeness, double? Monosemanticity = null);
