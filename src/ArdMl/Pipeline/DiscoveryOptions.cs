namespace ArdMl.Pipeline;

/// <summary>What <see cref="DiscoveryPipeline.Discover"/> runs: model, tap, corpus, naming texts and SAE size.</summary>
public sealed class DiscoveryOptions : SaeDiscoveryOptions
{
    /// <summary>Default number of latents per activation unit (m = 4 × d) when <see cref="SaeDiscoveryOptions.LatentCount"/> is not set.</summary>
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

    /// <summary>Use at most this many clips (the first ones in ordinal path order); null = all.</summary>
    public int? MaxClips { get; init; }

    /// <summary>Clips longer than this are cut; null = no limit.</summary>
    public double? MaxDurationSeconds { get; init; }

    /// <summary>Workers of the ExtractActivations stage (see <see cref="MlNet.ExtractActivationsOptions.Workers"/>). Default 1.</summary>
    public int Workers { get; init; } = 1;

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

        ValidateSaeSettings();
        if (MaxClips is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClips), MaxClips, "MaxClips must be at least 1 (or null for all clips).");
        }
    }
}
