using ArdMl.Concepts;
using ArdMl.Sae;

namespace ArdMl.Pipeline;

/// <summary>
/// What every run that ranks, names and selects concepts shares, with the same defaults everywhere: where it writes,
/// the naming texts, the representative sets and the rules that keep a concept. Derived by
/// <see cref="DiscoveryOptions"/>, <see cref="ActivationDiscoveryOptions"/> and <see cref="PartRankingOptions"/>.
/// </summary>
public abstract class ConceptStageOptions
{
    private protected ConceptStageOptions()
    {
    }

    /// <summary>Folder that receives model.zip, concepts.json, concept-scores.csv, clip-statistics.idv and run.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Captions CSV (clip,text) for naming; used when <see cref="LabelsPath"/> is null.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>
    /// Labels CSV (clip,text; ';' separates several labels of a clip); when set, concepts are named by the majority
    /// label of their top clips.
    /// </summary>
    public string? LabelsPath { get; init; }

    /// <summary>Representative clips per set (p).</summary>
    public int ClipsPerSet { get; init; } = ConceptRankerOptions.DefaultClipsPerSet;

    /// <summary>Concepts need a monosemanticity above this; null keeps every scored latent.</summary>
    public double? MinimumMonosemanticity { get; init; } = ConceptSelectionOptions.DefaultMinimumMonosemanticity;

    /// <summary>At most this many concepts (most monosemantic first); null = no limit.</summary>
    public int? ConceptCount { get; init; }

    /// <summary>
    /// A regular expression finding each clip's group (speaker, recording, category) in its path relative to the audio
    /// folder (first capture group, or the whole match); concepts are then kept only when their name holds across
    /// groups (see <see cref="ConceptDetectionScorer"/>). Null: all clips form one group.
    /// </summary>
    public string? GroupPattern { get; init; }

    /// <summary>
    /// Keep concepts whose detection score (average precision of their name outside their H clips) is at least this,
    /// besides the best concept of each name; null keeps all. Default <see cref="ConceptDetectionOptions.DefaultMinimumDetectionScore"/>.
    /// </summary>
    public double? MinimumDetectionScore { get; init; } = ConceptDetectionOptions.DefaultMinimumDetectionScore;

    /// <summary>
    /// Whether the concepts carrying one name become one concept of several latents where that detects the name better
    /// on the discovery clips (see <see cref="ConceptDetectionOptions.MergeByName"/>). Default <see cref="ConceptDetectionOptions.DefaultMergeByName"/>.
    /// </summary>
    public bool MergeByName { get; init; } = ConceptDetectionOptions.DefaultMergeByName;

    /// <summary>Throws <see cref="FileNotFoundException"/> naming a captions or labels file that does not exist.</summary>
    private protected void ValidateNamingFiles()
    {
        foreach (var file in new[] { CaptionsPath, LabelsPath })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new FileNotFoundException($"Naming file '{file}' does not exist.", file);
            }
        }
    }
}

/// <summary>
/// <see cref="ConceptStageOptions"/> of a run that also trains its SAE: its size, sparsity rule, steps, batch and seed.
/// </summary>
public abstract class SaeDiscoveryOptions : ConceptStageOptions
{
    private protected SaeDiscoveryOptions()
    {
    }

    /// <summary>Number of SAE latents m; null = <see cref="DiscoveryOptions.DefaultLatentsPerUnit"/> × activation width.</summary>
    public int? LatentCount { get; init; }

    /// <summary>Active latents per frame (Top-K).</summary>
    public int K { get; init; } = DiscoveryOptions.DefaultK;

    /// <summary>The SAE's sparsity rule (Top-K, BatchTopK or Matryoshka BatchTopK). Default <see cref="SaeVariant.TopK"/>.</summary>
    public SaeVariant Variant { get; init; } = SaeVariant.TopK;

    /// <summary>SAE training steps.</summary>
    public int Steps { get; init; } = DiscoveryOptions.DefaultSteps;

    /// <summary>Frames per SAE training step (capped at the corpus's frame count).</summary>
    public int BatchSize { get; init; } = DiscoveryOptions.DefaultBatchSize;

    /// <summary>Seed of the SAE initialisation and shuffling (and of the random-representatives baseline in eval).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// What a clip's μ averages over: all its frames (zeros included: r = μ·c = ā·c², with ā the mean over the frames
    /// where the latent fires) or the active frames only (r = ā·c). Null (default): chosen on the run's own clips where
    /// captions or labels name the concepts (both readings of the same SAE are ranked and named, and the one whose
    /// names hold better is kept, see <see cref="ClipMeanModeChoice"/>); all frames where nothing names them. Recorded
    /// in run.json, with the choice's criteria; eval reads it.
    /// </summary>
    public ClipMeanMode? MeanMode { get; init; }

    /// <summary>Checks the naming files and the SAE settings.</summary>
    private protected void ValidateSaeSettings()
    {
        ValidateNamingFiles();
        if (MeanMode is { } meanMode && !Enum.IsDefined(meanMode))
        {
            throw new ArgumentOutOfRangeException(nameof(MeanMode), meanMode, "The mean mode must be AllFrames or ActiveFrames.");
        }

        if (LatentCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LatentCount), LatentCount, "The number of latents must be at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
