using ArdMl.Concepts;

namespace ArdMl.MlNet;

/// <summary>Options of <c>mlContext.Transforms.Ard().RankConcepts(options)</c>.</summary>
public sealed class RankConceptsOptions
{
    /// <summary>The clip-id column (text). Default "Path".</summary>
    public string ClipIdColumnName { get; set; } = "Path";

    /// <summary>The per-clip mean activation column (vector of Single, one value per latent). Default "MeanActivation".</summary>
    public string MeanActivationColumnName { get; set; } = "MeanActivation";

    /// <summary>The per-clip coverage column (vector of Single, one value per latent). Default "Coverage".</summary>
    public string CoverageColumnName { get; set; } = "Coverage";

    /// <summary>
    /// A per-clip embedding column (vector of Single, for example a CLAP-style audio embedding) for the
    /// monosemanticity score; null (default) uses the mean-pooled <see cref="ActivationsColumnName"/> when the input
    /// has it (frames × d, dimensions [0, d]) and otherwise the MeanActivation vector itself.
    /// </summary>
    public string? EmbeddingColumnName { get; set; }

    /// <summary>The frame activations column used for the default embedding when present. Default "Activations".</summary>
    public string ActivationsColumnName { get; set; } = "Activations";

    /// <summary>A caption (or label) text column; rows with empty text have none. Null (default): no caption column.</summary>
    public string? CaptionColumnName { get; set; }

    /// <summary>A <c>clip,text</c> CSV file of captions or labels (see <see cref="CaptionTable"/>); null (default): none.</summary>
    public string? CaptionFilePath { get; set; }

    /// <summary>Whether the texts are free captions or class labels. Default <see cref="ArdMl.Concepts.CaptionKind.Captions"/>.</summary>
    public CaptionKind CaptionKind { get; set; } = CaptionKind.Captions;

    /// <summary>The namer (not saved with the model). Default: <see cref="OfflineConceptNamer"/>.</summary>
    public IConceptNamer? Namer { get; set; }

    /// <summary>How many concepts the namer names at once (for an LLM server that serves requests in parallel). Default 1.</summary>
    public int MaxConcurrentNaming { get; set; } = 1;

    /// <summary>Size p of H and L. Default 4.</summary>
    public int ClipsPerSet { get; set; } = ConceptRankerOptions.DefaultClipsPerSet;

    /// <summary>The ranking criterion (AR&amp;D's μ·c, or a baseline). Default μ·c.</summary>
    public RankingCriterion Criterion { get; set; } = RankingCriterion.MeanTimesCoverage;

    /// <summary>Which clips may enter H and L. Default active clips only.</summary>
    public CandidateClips Candidates { get; set; } = CandidateClips.ActiveClipsOnly;

    /// <summary>Seed of the random baseline. Default 0.</summary>
    public ulong RandomSeed { get; set; }

    /// <summary>Keep latents with monosemanticity strictly above this; null keeps all scored latents. Default 1.0.</summary>
    public double? MinimumMonosemanticity { get; set; } = ConceptSelectionOptions.DefaultMinimumMonosemanticity;

    /// <summary>Keep at most this many concepts (the paper's C); null keeps all that pass the minimum. Default null.</summary>
    public int? ConceptCount { get; set; }

    /// <summary>
    /// A regular expression finding a clip's group (speaker, recording, category) in its id (first capture group, or
    /// the whole match): the detection score of a concept is then averaged over groups, so names that hold for one
    /// group only are not kept. Null (default): one group. See <see cref="ConceptDetectionOptions.GroupPattern"/>.
    /// </summary>
    public string? GroupPattern { get; set; }

    /// <summary>
    /// Keep concepts whose detection score (average precision of their name outside their H clips, see
    /// <see cref="ConceptDetectionScorer"/>) is at least this, besides the best concept of each name; null keeps all and
    /// only reports the scores. Applies only when concepts are named from captions or labels.
    /// Default <see cref="ConceptDetectionOptions.DefaultMinimumDetectionScore"/>.
    /// </summary>
    public double? MinimumDetectionScore { get; set; } = ConceptDetectionOptions.DefaultMinimumDetectionScore;

    /// <summary>Whether the best concept of each name is kept below <see cref="MinimumDetectionScore"/>. Default true.</summary>
    public bool KeepBestOfEachName { get; set; } = true;

    /// <summary>
    /// Whether the concepts carrying one name are merged into one concept of several latents where that detects the
    /// name better (see <see cref="ConceptDetectionOptions.MergeByName"/>). Default <see cref="ConceptDetectionOptions.DefaultMergeByName"/>.
    /// </summary>
    public bool MergeByName { get; set; } = ConceptDetectionOptions.DefaultMergeByName;

    /// <summary>Floor of σ_pooled in the monosemanticity score. Default 1e-3.</summary>
    public double MinimumPooledStandardDeviation { get; set; } = MonosemanticityOptions.DefaultMinimumPooledStandardDeviation;

    /// <summary>The output column of concept scores (r per concept, SlotNames = concept names). Default "ConceptScores".</summary>
    public string ConceptScoresColumnName { get; set; } = "ConceptScores";

    /// <summary>The output column listing the best concepts' names (text). Default "TopConcepts".</summary>
    public string TopConceptsColumnName { get; set; } = "TopConcepts";

    /// <summary>How many names TopConcepts lists at most. Default 3.</summary>
    public int TopConceptCount { get; set; } = 3;

    /// <summary>TopConcepts lists only concepts scoring strictly above this. Default 0.</summary>
    public float MinimumScore { get; set; }

    /// <summary>Receives a report after each concept is named during Fit (not saved).</summary>
    public IProgress<ConceptNamingProgress>? NamingProgress { get; set; }

    internal RankConceptsOptions Validated()
    {
        static void RequireName(string? name, string property)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"RankConcepts: {property} must be a non-empty column name.", property);
            }
        }

        RequireName(ClipIdColumnName, nameof(ClipIdColumnName));
        RequireName(MeanActivationColumnName, nameof(MeanActivationColumnName));
        RequireName(CoverageColumnName, nameof(CoverageColumnName));
        RequireName(ActivationsColumnName, nameof(ActivationsColumnName));
        RequireName(ConceptScoresColumnName, nameof(ConceptScoresColumnName));
        RequireName(TopConceptsColumnName, nameof(TopConceptsColumnName));
        if (ConceptScoresColumnName == TopConceptsColumnName)
        {
            throw new ArgumentException($"RankConcepts: the scores and top-concepts columns are both named '{ConceptScoresColumnName}'.", nameof(TopConceptsColumnName));
        }

        if (TopConceptCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopConceptCount), TopConceptCount, "RankConcepts: TopConceptCount must not be negative.");
        }

        if (MaxConcurrentNaming < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentNaming), MaxConcurrentNaming, "RankConcepts: MaxConcurrentNaming must be at least 1.");
        }

        if (ConceptCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ConceptCount), ConceptCount, "RankConcepts: ConceptCount must be at least 1 (or null).");
        }

        if (!(MinimumPooledStandardDeviation > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumPooledStandardDeviation), MinimumPooledStandardDeviation, "RankConcepts: must be positive.");
        }

        if (!Enum.IsDefined(CaptionKind))
        {
            throw new ArgumentOutOfRangeException(nameof(CaptionKind), CaptionKind, "RankConcepts: unknown caption kind.");
        }

        RankerOptions().Validate();
        DetectionOptions().Validate();
        return (RankConceptsOptions)MemberwiseClone();
    }

    internal ConceptRankerOptions RankerOptions() => new()
    {
        ClipsPerSet = ClipsPerSet,
        Criterion = Criterion,
        Candidates = Candidates,
        RandomSeed = RandomSeed,
    };

    internal ConceptDetectionOptions DetectionOptions() => new()
    {
        GroupPattern = GroupPattern,
        MinimumDetectionScore = MinimumDetectionScore,
        KeepBestOfEachName = KeepBestOfEachName,
        MergeByName = MergeByName,
    };

    internal ConceptApplyOptions ApplyOptions() => new() { TopConceptCount = TopConceptCount, MinimumScore = MinimumScore };
}
