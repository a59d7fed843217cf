using ArdMl.Concepts;

namespace ArdMl.Reporting;

/// <summary>
/// What a <see cref="ConceptReport"/> is built from, each given explicitly so the report does not depend on how a
/// run folder is laid out: the concept dictionary, a way to get a clip's audio, and optionally the clips' captions and
/// the per-clip concept scores.
/// </summary>
public sealed class ConceptReportInputs
{
    /// <summary>The concepts to report.</summary>
    public required ConceptDictionary Dictionary { get; init; }

    /// <summary>
    /// Returns the mono samples at <see cref="SampleRate"/> Hz of a clip id (already trimmed or not: the report trims
    /// them), or null when the clip's audio is not available (the page then says so instead of showing a player).
    /// Null: no audio at all.
    /// </summary>
    public Func<string, float[]?>? ClipAudio { get; init; }

    /// <summary>The sample rate of what <see cref="ClipAudio"/> returns.</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Returns the captions (or labels) of a clip id, empty when it has none. Null: no captions.</summary>
    public Func<string, IReadOnlyList<string>>? ClipCaptions { get; init; }

    /// <summary>r of every concept on every clip, for the density histograms; null: histograms are left out.</summary>
    public ClipScoreTable? Scores { get; init; }
}
