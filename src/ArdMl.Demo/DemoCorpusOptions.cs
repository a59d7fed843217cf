namespace ArdMl.Demo;

/// <summary>Settings of <see cref="DemoCorpusGenerator.Write"/>.</summary>
public sealed class DemoCorpusOptions
{
    /// <summary>The default number of clips (generates in a few seconds, about 33 minutes of audio).</summary>
    public const int DefaultClipCount = 1000;

    /// <summary>The default seed; the committed demo model was trained on the corpus of this seed.</summary>
    public const int DefaultSeed = 20260101;

    /// <summary>Number of clips.</summary>
    public int ClipCount { get; init; } = DefaultClipCount;

    /// <summary>Seed: the same seed gives byte-identical files.</summary>
    public int Seed { get; init; } = DefaultSeed;
}
