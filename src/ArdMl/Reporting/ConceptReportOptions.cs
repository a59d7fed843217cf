namespace ArdMl.Reporting;

/// <summary>Settings of <see cref="ConceptReport"/>: what goes into the page and how large it may get.</summary>
public sealed class ConceptReportOptions
{
    /// <summary>The page's title.</summary>
    public string Title { get; init; } = "ArdMl concept report";

    /// <summary>Most concepts shown (the most monosemantic ones); null shows all.</summary>
    public int? MaxConcepts { get; init; }

    /// <summary>Most H clips and most L clips per concept embedded as audio players (the activation plot shows all).</summary>
    public int MaxClipsPerSet { get; init; } = 5;

    /// <summary>Each embedded clip keeps at most this many seconds from its start, to keep the page small.</summary>
    public double ClipSeconds { get; init; } = 3.0;

    /// <summary>Number of bars of each density histogram.</summary>
    public int HistogramBins { get; init; } = 24;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaxConcepts is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcepts), MaxConcepts, "MaxConcepts must be at least 1 (or null for all).");
        }

        if (MaxClipsPerSet < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClipsPerSet), MaxClipsPerSet, "MaxClipsPerSet must not be negative.");
        }

        if (!(ClipSeconds > 0) || double.IsInfinity(ClipSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipSeconds), ClipSeconds, "ClipSeconds must be a positive, finite number of seconds.");
        }

        if (HistogramBins is < 2 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "HistogramBins must be between 2 and 200.");
        }
    }
}
