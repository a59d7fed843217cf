using ArdMl.Concepts;

namespace ArdMl.Pipeline;

/// <summary>
/// What <see cref="DiscoveryPipeline.DiscoverFromActivations"/> runs: an activation shard folder (models/SHARDS.md)
/// instead of a model and audio, naming texts and the SAE size. Defaults are those of <see cref="DiscoveryOptions"/>.
/// </summary>
public sealed class ActivationDiscoveryOptions
{
    /// <summary>Activation shard folder (or a folder of part folders) written by <c>ard extract</c> or another producer.</summary>
    public required string ActivationsDirectory { get; init; }

    /// <summary>Folder that receives model.zip, concepts.json, concept-scores.csv, clip-statistics.idv and run.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Captions CSV (clip,text; clip = the shard clip id) for naming; used when <see cref="LabelsPath"/> is null.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>Labels CSV (clip,text); when set, concepts are named by the majority label of their top clips.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Number of SAE latents m; null = <see cref="DiscoveryOptions.DefaultLatentsPerUnit"/> × activation width.</summary>
    public int? LatentCount { get; init; }

    /// <summary>Active latents per frame (Top-K).</summary>
    public int K { get; init; } = DiscoveryOptions.DefaultK;

    /// <summary>SAE training steps.</summary>
    public int Steps { get; init; } = DiscoveryOptions.DefaultSteps;

    /// <summary>Frames per SAE training step.</summary>
    public int BatchSize { get; init; } = DiscoveryOptions.DefaultBatchSize;

    /// <summary>Seed of the SAE initialisation and shuffling (and of the random-representatives baseline in eval).</summary>
    public ulong Seed { get; init; }

    /// <summary>Representative clips per set (p).</summary>
    public int ClipsPerSet { get; init; } = ConceptRankerOptions.DefaultClipsPerSet;

    /// <summary>Concepts need a monosemanticity above this; null keeps every scored latent.</summary>
    public double? MinimumMonosemanticity { get; init; } = ConceptSelectionOptions.DefaultMinimumMonosemanticity;

    /// <summary>At most this many concepts (most monosemantic first); null = no limit.</summary>
    public int? ConceptCount { get; init; }

    /// <summary>The SAE's sparsity rule; see <see cref="DiscoveryOptions.Variant"/>.</summary>
    public ArdMl.Sae.SaeVariant Variant { get; init; }

    /// <summary>The group pattern of the detection score; see <see cref="DiscoveryOptions.GroupPattern"/>.</summary>
    public string? GroupPattern { get; init; }

    /// <summary>Detection-score threshold; see <see cref="DiscoveryOptions.MinimumDetectionScore"/>.</summary>
    public double? MinimumDetectionScore { get; init; } = ArdMl.Concepts.ConceptDetectionOptions.DefaultMinimumDetectionScore;

    /// <summary>Whether the concepts of one name are merged; see <see cref="DiscoveryOptions.MergeByName"/>.</summary>
    public bool MergeByName { get; init; } = ArdMl.Concepts.ConceptDetectionOptions.DefaultMergeByName;

    internal void Validate()
    {
        if (!Directory.Exists(ActivationsDirectory))
        {
            throw new DirectoryNotFoundException($"Activation shard folder '{ActivationsDirectory}' does not exist.");
        }

        foreach (var file in new[] { CaptionsPath, LabelsPath })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new FileNotFoundException($"Naming file '{file}' does not exist.", file);
            }
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
