namespace ArdMl.Concepts;

/// <summary>What a namer is given for one concept.</summary>
public sealed class ConceptNamingRequest
{
    /// <summary>The concept's latent index.</summary>
    public required int Latent { get; init; }

    /// <summary>The H clips, most representative first, each with its captions or labels.</summary>
    public required IReadOnlyList<ClipTexts> TopClips { get; init; }

    /// <summary>The corpus statistics to contrast against; null when no captions or labels were given.</summary>
    public CaptionCorpus? Corpus { get; init; }

    /// <summary>Every text of the H clips, in H order: what a namer summarises.</summary>
    public IReadOnlyList<string> TopTexts => [.. TopClips.SelectMany(c => c.Texts)];
}
