using ArdMl.Audio;

namespace ArdMl.MlNet;

/// <summary>Audio loading entries of the ArdMl catalog.</summary>
public sealed partial class ArdTransformsCatalog
{
    /// <summary>
    /// Loads the clip of each row (a file path in a text column, or encoded file bytes in a vector-of-Byte column) as
    /// mono samples in [-1, 1] at <paramref name="sampleRate"/>: a variable-length Single vector in
    /// <paramref name="outputColumnName"/> and its length in "SampleCount". A clip that cannot be decoded stops the
    /// pass with an error naming it (use the options overload to skip such clips instead).
    /// </summary>
    /// <param name="outputColumnName">The samples column. Default "Samples".</param>
    /// <param name="inputColumnName">The paths (or bytes) column. Default "Path".</param>
    /// <param name="sampleRate">The output sample rate in Hz. Default 16000.</param>
    public LoadAudioEstimator LoadAudio(string outputColumnName = "Samples", string inputColumnName = "Path", int sampleRate = AudioLoader.DefaultSampleRate) =>
        new(Environment, new LoadAudioOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, SampleRate = sampleRate });

    /// <summary>Loads each row's clip as mono samples, with all options (duration limit, bad-clip handling, column names).</summary>
    /// <param name="options">The options; validated here.</param>
    public LoadAudioEstimator LoadAudio(LoadAudioOptions options) => new(Environment, options);
}
