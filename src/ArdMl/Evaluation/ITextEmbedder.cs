namespace ArdMl.Evaluation;

/// <summary>
/// Embeds short texts (concept names, label names) as vectors for semantic matching; any sentence-embedding model can
/// stand behind it. Vectors of one call must all have the same length; they need not be normalised.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Returns one vector per text, in order.</summary>
    IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts);
}
