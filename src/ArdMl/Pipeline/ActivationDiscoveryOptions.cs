namespace ArdMl.Pipeline;

/// <summary>
/// What <see cref="DiscoveryPipeline.DiscoverFromActivations"/> runs: an activation shard folder (models/SHARDS.md)
/// instead of a model and audio, naming texts and the SAE size. Defaults are those of <see cref="DiscoveryOptions"/>.
/// </summary>
public sealed class ActivationDiscoveryOptions : SaeDiscoveryOptions
{
    /// <summary>Activation shard folder (or a folder of part folders) written by <c>ard extract</c> or another producer.</summary>
    public required string ActivationsDirectory { get; init; }

    internal void Validate()
    {
        if (!Directory.Exists(ActivationsDirectory))
        {
            throw new DirectoryNotFoundException($"Activation shard folder '{ActivationsDirectory}' does not exist.");
        }

        ValidateSaeSettings();
    }
}
