namespace ArdMl.Pipeline;

/// <summary>
/// What <see cref="DiscoveryPipeline.RankParts"/> merges: encoded parts of one model's tap and one SAE, and the
/// concept-stage settings of <see cref="ActivationDiscoveryOptions"/> (same defaults).
/// </summary>
public sealed class PartRankingOptions : ConceptStageOptions
{
    /// <summary>Encoded part folders (with part.json), or folders whose subfolders are encoded parts.</summary>
    public required IReadOnlyList<string> Parts { get; init; }

    /// <summary>The SAE folder every part was encoded with; its stage goes into model.zip.</summary>
    public required string SaeDirectory { get; init; }

    /// <summary>Seed of the ranking (and of the random baseline in eval); the seed the SAE was trained with by default.</summary>
    public ulong? Seed { get; init; }

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

        ValidateNamingFiles();
    }
}
