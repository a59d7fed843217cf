namespace ArdMl.Concepts;

/// <summary>Where a concept's name came from.</summary>
public enum NamingSource
{
    /// <summary>No usable text: the name is "latent N", saying honestly that the concept is unnamed.</summary>
    LatentIndex = 0,

    /// <summary>The offline namer's contrastive phrase from the H clips' captions.</summary>
    CaptionPhrase = 1,

    /// <summary>The offline namer's majority label of the H clips.</summary>
    MajorityLabel = 2,

    /// <summary>A language model summarised the H clips' captions.</summary>
    LanguageModel = 3,
}
