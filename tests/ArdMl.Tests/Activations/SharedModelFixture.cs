using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Activations;

/// <summary>Locates the shipped model descriptions and the shared models and clips for integration tests.</summary>
internal static class SharedModelFixture
{
    public static string DescriptionPath(string file) => Path.Combine(SharedAssets.RepositoryRoot, "models", file);

    public static string? ModelsRoot => SharedAssets.TryGet("models");

    public static ModelDescription Description(string file) => ModelDescription.Load(DescriptionPath(file));

    public static ActivationExtractorOptions Options(int batch = 4, double? silence = null, NonFiniteActivationPolicy nonFinite = NonFiniteActivationPolicy.Throw, int? inputRate = null) => new()
    {
        BatchSize = batch,
        IntraOpThreads = 1,
        SilenceThresholdDb = silence,
        NonFinite = nonFinite,
        ModelSearchRoots = ModelsRoot is { } root ? [root] : [],
        InputSampleRate = inputRate,
    };

    public static string[] SpeechClips(int count) =>
        [.. Directory.GetFiles(SharedAssets.TryGet("data", "fsdd", "recordings")!, "*.wav").Order(StringComparer.Ordinal).Take(count)];

    public static string[] NonSpeechClips(int count) =>
        [.. Directory.GetFiles(SharedAssets.TryGet("data", "sonic-pi-samples")!, "*.flac").Order(StringComparer.Ordinal).Where(p => !Path.GetFileName(p).StartsWith("loop_", StringComparison.Ordinal)).Take(count)];

    public static AudioClip Load(string path, int rate = 16000, double? maxSeconds = 4) =>
        new(Path.GetFileName(path), AudioLoader.LoadMono(path, rate, maxSeconds));

    public static bool Missing => ModelsRoot is null || SharedAssets.TryGet("data", "fsdd", "recordings") is null || SharedAssets.TryGet("data", "sonic-pi-samples") is null;
}
