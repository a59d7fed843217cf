using ArdMl.Concepts;

namespace ArdMl.Pipeline;

/// <summary>
/// What <see cref="DiscoveryPipeline.RankParts"/> merges: encoded parts of one model's tap and one SAE, and the
/// concept-stage settings of <see cref="ActivationDiscoveryOptions"/> (same defaults).
/// </summary>
public sealed class PartRankingOptions
{
    /// <summary>Encoded part folders (with part.json), or folders whose subfolders are encoded parts.</summary>
    public required IReadOnlyList<string> Parts { get; init; }

    /// <summary>The SAE folder every part was encoded with; its stage goes into model.zip.</summary>
    public required string SaeDirectory { get; init; }

    /// <summary>Folder that receives model.zip, concepts.json, concept-scores.csv, clip-statistics.idv and run.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Captions CSV (clip,text) for naming; used when <see cref="LabelsPath"/> is null.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>Labels CSV (clip,text); when set, concepts are named by the majority label of their top clips.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Seed of the ranking (and of the random baseline in eval); the seed the SAE was trained with by default.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Representative clips per set (p).</summary>
    public int ClipsPerSet { get; init; } = ConceptRankerOptions.DefaultClipsPerSet;

    /// <summary>Concepts need a monosemanticity above this; null keeps every scored latent.</summary>
    public double? MinimumMonosemanticity { get; init; } = ConceptSelectionOptions.DefaultMinimumMonosemanticity;

    /// <summary>At most this many concepts (most monosemantic first); null = no limit.</summary>
    public int? ConceptCount { get; init; }

    /// <summary>The group pattern of the detection score; see <see cref="DiscoveryOptions.GroupPattern"/>.</summary>
    public string? GroupPattern { get; init; }

    /// <summary>Detection-score threshold; see <see cref="DiscoveryOptions.MinimumDetectionScore"/>.</summary>
    public double? MinimumDetectionScore { get; init; } = ConceptDetectionOptions.DefaultMinimumDetectionScore;

    /// <summary>Whether the concepts of one name are merged; see <see cref="DiscoveryOptions.MergeByName"/>.</summary>
    public bool MergeByName { get; init; } = ConceptDetectionOptions.DefaultMergeByName;

    internal void Validate()
    {
        if (Parts.Count == 0)
        {
            throw new ArgumentException("No encoded parts given; pass the 'ard encode' output folders (or their parent folder).", nameof(Parts));
        }

        if (!Directory.Exists(SaeDirectory))
        {
            throw new DirectoryNotFoundException($"SAE folder '{SaeDirectory}' does not exist; expected the --out folder of 'ard train'.");
        }

        foreach (var file in new[] { CaptionsPath, LabelsPath })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new FileNotFoundException($"Naming file '{file}' does not exist.", file);
            }
        }
    }
}
