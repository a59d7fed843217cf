namespace ArdMl.Evaluation;

/// <summary>How a concept name was matched to a label.</summary>
public enum LabelMatchKind
{
    /// <summary>No label matched; the concept is reported but not scored.</summary>
    Unmapped,

    /// <summary>The normal forms (<see cref="LabelTextNormalizer"/>) are equal.</summary>
    Normalized,

    /// <summary>The cosine similarity of the text embeddings reached the threshold.</summary>
    Embedding,
}
