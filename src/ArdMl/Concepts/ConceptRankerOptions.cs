namespace ArdMl.Concepts;

/// <summary>Options of <see cref="ConceptRanker"/> (pass 1 of concept discovery: retrieve).</summary>
public sealed class ConceptRankerOptions
{
    /// <summary>Default size p of the top set H and of the bottom set L (the paper's p = 4).</summary>
    public const int DefaultClipsPerSet = 4;

    /// <summary>Size p of H and of L per latent. Default <see cref="DefaultClipsPerSet"/>.</summary>
    public int ClipsPerSet { get; init; } = DefaultClipsPerSet;

    /// <summary>The ranking criterion: AR&amp;D's μ·c (default) or one of the paper's baselines.</summary>
    public RankingCriterion Criterion { get; init; } = RankingCriterion.MeanTimesCoverage;

    /// <summary>Which clips may enter H and L. Default <see cref="CandidateClips.ActiveClipsOnly"/>.</summary>
    public CandidateClips Candidates { get; init; } = CandidateClips.ActiveClipsOnly;

    /// <summary>Seed of <see cref="RankingCriterion.Random"/>. Default 0.</summary>
    public ulong RandomSeed { get; init; }

    /// <summary>
    /// Whether a clip id seen twice is an error (<see cref="DuplicateClipIdException"/>). Default true. Costs 16–32
    /// bytes per clip (a set of 128-bit hashes of the ids), the only memory that grows with the number of clips; turn
    /// it off only for corpora known to be unique.
    /// </summary>
    public bool RejectDuplicateClipIds { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (ClipsPerSet < 1 || ClipsPerSet > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(ClipsPerSet), ClipsPerSet, "ClipsPerSet (p) must be in 1..1024.");
        }

        if (!Enum.IsDefined(Criterion))
        {
            throw new ArgumentOutOfRangeException(nameof(Criterion), Criterion, "Unknown ranking criterion.");
        }

        if (!Enum.IsDefined(Candidates))
        {
            throw new ArgumentOutOfRangeException(nameof(Candidates), Candidates, "Unknown candidate-clip policy.");
        }
    }
}
