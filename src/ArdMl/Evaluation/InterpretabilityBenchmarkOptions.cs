namespace ArdMl.Evaluation;

/// <summary>Options of <see cref="InterpretabilityBenchmark"/>; every default is documented here.</summary>
public sealed class InterpretabilityBenchmarkOptions
{
    /// <summary>Share of clips held out to choose each concept's threshold (see <see cref="HeldOutClipSplit"/>); default 0.3.</summary>
    public double HeldOutFraction { get; init; } = 0.3;

    /// <summary>Salt of the clip-id hash split; default 0.</summary>
    public ulong SplitSalt { get; init; }

    /// <summary>Optional text embedder for names without a normalised label match; default none.</summary>
    public ITextEmbedder? TextEmbedder { get; init; }

    /// <summary>Minimum cosine similarity of an embedding match; default <see cref="ConceptLabelMapper.DefaultEmbeddingThreshold"/>.</summary>
    public double EmbeddingThreshold { get; init; } = ConceptLabelMapper.DefaultEmbeddingThreshold;
}
