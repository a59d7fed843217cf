namespace ArdMl.Pipeline;

/// <summary>What <see cref="DiscoveryPipeline.EncodePart"/> encodes: one activation shard part with one trained SAE.</summary>
public sealed class PartEncodingOptions
{
    /// <summary>The part's activation shard folder (one part-i-of-n folder of <c>ard extract --shard</c>, or any shard folder).</summary>
    public required string ActivationsDirectory { get; init; }

    /// <summary>The SAE folder written by <c>ard train</c> (cfg.json, weights, metrics.json).</summary>
    public required string SaeDirectory { get; init; }

    /// <summary>Folder that receives part-statistics.idv and part.json (replaced when it holds an earlier encode).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>What the clips' μ averages over (see <see cref="SaeDiscoveryOptions.MeanMode"/>); every part of a merge must agree. Default all frames.</summary>
    public Concepts.ClipMeanMode MeanMode { get; init; } = Concepts.ClipMeanMode.AllFrames;

    internal void Validate()
    {
        if (!Enum.IsDefined(MeanMode))
        {
            throw new ArgumentOutOfRangeException(nameof(MeanMode), MeanMode, "The mean mode must be AllFrames or ActiveFrames.");
        }

        if (!Directory.Exists(ActivationsDirectory))
        {
            throw new DirectoryNotFoundException($"Activation shard folder '{ActivationsDirectory}' does not exist.");
        }

        if (!Directory.Exists(SaeDirectory))
        {
            throw new DirectoryNotFoundException($"SAE folder '{SaeDirectory}' does not exist; expected the --out folder of 'ard train'.");
        }
    }
}
