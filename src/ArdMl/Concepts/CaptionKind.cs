namespace ArdMl.Concepts;

/// <summary>What the texts of a <see cref="CaptionTable"/> are.</summary>
public enum CaptionKind
{
    /// <summary>Free-text captions ("a dog barks in the distance"): named by a contrastive phrase.</summary>
    Captions = 0,

    /// <summary>Class labels ("Dog", "Telephone"), one per row: named by the majority label.</summary>
    Labels = 1,
}
