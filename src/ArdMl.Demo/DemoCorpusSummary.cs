namespace ArdMl.Demo;

/// <summary>What <see cref="DemoCorpusGenerator.Write"/> produced.</summary>
public sealed class DemoCorpusSummary
{
    internal DemoCorpusSummary(string directory, int clipCount, double totalSeconds, IReadOnlyDictionary<string, int> labelCounts)
    {
        Directory = directory;
        ClipCount = clipCount;
        TotalSeconds = totalSeconds;
        LabelCounts = labelCounts;
    }

    /// <summary>The corpus folder.</summary>
    public string Directory { get; }

    /// <summary>Number of clips written.</summary>
    public int ClipCount { get; }

    /// <summary>Total audio duration in seconds.</summary>
    public double TotalSeconds { get; }

    /// <summary>Number of clips carrying each label, in vocabulary order.</summary>
    public IReadOnlyDictionary<string, int> LabelCounts { get; }
}
