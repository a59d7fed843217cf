using ArdMl.Concepts;
using ArdMl.Sae;

namespace ArdMl.Pipeline;

/// <summary>What <see cref="DiscoveryPipeline.Discover"/> runs: model, tap, corpus, naming texts and SAE size.</summary>
public sealed class DiscoveryOptions
{
    /// <summary>Default number of latents per activation unit (m = 4 × d) when <see cref="LatentCount"/> is not set.</summary>
    public const int DefaultLatentsPerUnit = 4;

    /// <summary>Default active latents per frame.</summary>
    public const int DefaultK = 8;

    /// <summary>Default SAE training steps.</summary>
    public const int DefaultSteps = 600;

    /// <summary>Default frames per SAE training step.</summary>
    public const int DefaultBatchSize = 1024;

    /// <summary>Path of the model description JSON (models/*.json).</summary>
    public required string ModelDescriptionPath { get; init; }

    /// <summary>The tap (layer output) to record; null takes the description's default tap.</summary>
    public string? Tap { get; init; }

    /// <summary>Folder of audio clips (searched recursively for .wav, .flac, .mp3, .ogg).</summary>
    public required string AudioDirectory { get; init; }

    /// <summary>Folder that receives model.zip, concepts.json, concept-scores.csv, clip-statistics.idv and run.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Captions CSV (clip,text) for naming; used when <see cref="LabelsPath"/> is null.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>Labels CSV (clip,text) for naming; when set, concepts are named by the majority label of their top clips.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Number of SAE latents m; null = <see cref="DefaultLatentsPerUnit"/> × activation width.</summary>
    public int? LatentCount { get; init; }

    /// <summary>Active latents per frame (Top-K).</summary>
    public int K { get; init; } = DefaultK;

    /// <summary>The SAE's sparsity rule (Top-K, BatchTopK or Matryoshka BatchTopK). Default <see cref="SaeVariant.TopK"/>.</summary>
    public SaeVariant Variant { get; init; } = SaeVariant.TopK;

    /// <summary>SAE training steps.</summary>
    public int Steps { get; init; } = DefaultSteps;

    /// <summary>Frames per SAE training step (capped at the corpus's frame count).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Seed of the SAE initialisation and shuffling (and of the random-representatives baseline in eval).</summary>
    public ulong Seed { get; init; }

    /// <summary>Use at most this many clips (the first ones in ordinal path order); null = all.</summary>
    public int? MaxClips { get; init; }

    /// <summary>Clips longer than this are cut; null = no limit.</summary>
    public double? MaxDurationSeconds { get; init; }

    /// <summary>Workers of the ExtractActivations stage (see <see cref="MlNet.ExtractActivationsOptions.Workers"/>). Default 1.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Representative clips per set (p).</summary>
    public int ClipsPerSet { get; init; } = ConceptRankerOptions.DefaultClipsPerSet;

    /// <summary>Concepts need a monosemanticity above this; null keeps every scored latent.</summary>
    public double? MinimumMonosemanticity { get; init; } = ConceptSelectionOptions.DefaultMinimumMonosemanticity;

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

    /// <summary>At most this many concepts (most monosemantic first); null = no limit.</summary>
    public int? ConceptCount { get; init; }

    /// <summary>
    /// How model.zip keeps the ONNX model: embedded (the default, so that the zip works on its own) or as the model
    /// file's path and SHA-256 (for models whose licence or size forbids copying them into every saved pipeline;
    /// loading then reads the file and refuses it when it is missing or differs).
    /// </summary>
    public ArdMl.MlNet.ActivationModelStorage ModelStorage { get; init; } = ArdMl.MlNet.ActivationModelStorage.Embed;

    internal void Validate()
    {
        if (!File.Exists(ModelDescriptionPath))
        {
            throw new FileNotFoundException($"Model description '{ModelDescriptionPath}' does not exist.", ModelDescriptionPath);
        }

        if (!Directory.Exists(AudioDirectory))
        {
            throw new DirectoryNotFoundException($"Audio folder '{AudioDirectory}' does not exist.");
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
        if (MaxClips is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClips), MaxClips, "MaxClips must be at least 1 (or null for all clips).");
        }
    }
}
