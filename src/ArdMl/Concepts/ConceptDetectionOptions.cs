namespace ArdMl.Concepts;

/// <summary>
/// How a named concept's detection score is computed and used to select concepts (the check that a name holds beyond
/// the clips it was made from, in the manner of delphi's detection scoring). See <see cref="ConceptDetectionScorer"/>.
/// </summary>
public sealed class ConceptDetectionOptions
{
    /// <summary>Default <see cref="MinimumDetectionScore"/>: the name must rank its clips with an average precision of at least one half.</summary>
    public const double DefaultMinimumDetectionScore = 0.5;

    /// <summary>Default <see cref="MaximumClips"/>.</summary>
    public const int DefaultMaximumClips = 20_000;

    /// <summary>
    /// A regular expression that finds a clip's group (speaker, recording, category) in its id: the first capture
    /// group, or the whole match when the pattern has none. With it the detection score is the mean, over groups, of
    /// the average precision inside each group, so a latent that carries its name for one speaker only scores low.
    /// Null (default): all clips form one group. A clip id the pattern does not match is an error.
    /// </summary>
    public string? GroupPattern { get; init; }

    /// <summary>
    /// Keep only concepts whose detection score is at least this (except the best concept of each name, see
    /// <see cref="KeepBestOfEachName"/>); null keeps every concept and only reports the scores.
    /// Default <see cref="DefaultMinimumDetectionScore"/>.
    /// </summary>
    public double? MinimumDetectionScore { get; init; } = DefaultMinimumDetectionScore;

    /// <summary>
    /// Whether the concept with the highest detection score of each name is kept even below
    /// <see cref="MinimumDetectionScore"/>, so that every name the texts support keeps one concept. Default true.
    /// </summary>
    public bool KeepBestOfEachName { get; init; } = true;

    /// <summary>
    /// Whether each name keeps one concept: its concepts merged into one concept of several latents where that detects
    /// the name better on the scored clips, else its best concept (see <see cref="ConceptDetectionScorer.MergeByName"/>):
    /// the remedy for a name split over several latents, one per speaker or recording. Default <see cref="DefaultMergeByName"/>.
    /// </summary>
    public bool MergeByName { get; init; } = DefaultMergeByName;

    /// <summary>Default <see cref="MergeByName"/>.</summary>
    public const bool DefaultMergeByName = true;

    /// <summary>
    /// At most this many clips are scored, chosen by a hash of the clip id (independent of order); more clips only
    /// refine the estimate. Default <see cref="DefaultMaximumClips"/>.
    /// </summary>
    public int MaximumClips { get; init; } = DefaultMaximumClips;

    /// <summary>The compiled <see cref="GroupPattern"/>, or null.</summary>
    internal ClipGroupPattern? GroupRegex() => GroupPattern is null ? null : ClipGroupPattern.Create(GroupPattern);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (GroupPattern is not null)
        {
            ClipGroupPattern.Create(GroupPattern);
        }

        if (MinimumDetectionScore is { } minimum && !(minimum >= 0 && minimum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumDetectionScore), minimum, "The minimum detection score is an average precision: it must lie in [0, 1].");
        }

        if (MaximumClips < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumClips), MaximumClips, "At least 2 clips are needed to score detection.");
        }
    }
}
