using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Tests.Steering;

/// <summary>Paths and inputs of the real models and recordings the steering tests use (skipped where absent).</summary>
internal static class SteeringTestModels
{
    public const string SileroEncoderTap = "/model/encoder/3/activation/Relu_output_0";

    public static string? SileroOp15 => SharedAssets.TryGet("models", "silero-vad", "silero_vad_16k_op15.onnx");

    public static string? OpenWakeWordEmbedding => SharedAssets.TryGet("models", "openwakeword", "embedding_model.onnx");

    public static string? OpenWakeWordMel => SharedAssets.TryGet("models", "openwakeword", "melspectrogram.onnx");

    public static string? BasicPitch => SharedAssets.TryGet("models", "basic-pitch", "nmp.onnx");

    public static string? FsddRecordings => SharedAssets.TryGet("data", "fsdd", "recordings");

    public static string? SonicPiSamples => SharedAssets.TryGet("data", "sonic-pi-samples");

    /// <summary>FSDD clips in a fixed order (ordinal by file name), every <paramref name="stride"/>-th one.</summary>
    public static IReadOnlyList<string> FsddClips(int count, int stride = 37) =>
        [.. Directory.GetFiles(FsddRecordings!, "*.wav").Order(StringComparer.Ordinal).Where((_, i) => i % stride == 0).Take(count)];

    /// <summary>Sonic Pi samples in ordinal order of file name.</summary>
    public static IReadOnlyList<string> SonicPiClips(int count, int offset = 0) =>
        [.. Directory.GetFiles(SonicPiSamples!, "*.flac").Order(StringComparer.Ordinal).Skip(offset).Take(count)];

    /// <summary>The repository's Silero VAD description (models/silero-vad.json).</summary>
    public static ModelDescription SileroDescription() =>
        ModelDescription.Load(Path.Combine(SharedAssets.RepositoryRoot, "models", "silero-vad.json"));

    /// <summary>Silero VAD opened from its description, split at the encoder output, steered on 'output'.</summary>
    public static RecurrentChunkSteeringModel OpenSilero(string tap = SileroEncoderTap) =>
        (RecurrentChunkSteeringModel)DescribedSteeringModel.Open(SileroDescription(), tap, "output");

    public static SessionOptions ExactOptions() => new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };

    public static float[] LoadSeconds(string path, double seconds, int rate = 16000) =>
        AudioLoader.LoadMono(path, rate, seconds);
}
