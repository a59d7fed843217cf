using ArdMl.Audio;

namespace ArdMl.MlNet;

/// <summary>What LoadAudio does with a clip that cannot be read or decoded.</summary>
public enum BadClipHandling
{
    /// <summary>Stop with the decoding error (an <see cref="AudioDecodeException"/> or I/O exception naming the clip).</summary>
    Throw,

    /// <summary>Leave the clip's row out of the output and report it (log, <see cref="LoadAudioTransformer.SkippedClips"/>, progress).</summary>
    Skip,
}

/// <summary>A clip that LoadAudio left out, with the reason.</summary>
/// <param name="Source">The clip's path, or "column[row id]" for encoded bytes.</param>
/// <param name="Reason">Why it could not be loaded.</param>
public sealed record SkippedClip(string Source, string Reason);

/// <summary>Options of <c>mlContext.Transforms.Ard().LoadAudio(options)</c>.</summary>
public sealed class LoadAudioOptions
{
    /// <summary>The output column of mono samples in [-1, 1] (a variable-length vector of Single). Default "Samples".</summary>
    public string OutputColumnName { get; set; } = "Samples";

    /// <summary>The input column: text (file paths) or a vector of Byte (encoded file content). Default "Path".</summary>
    public string InputColumnName { get; set; } = "Path";

    /// <summary>The output column holding the number of samples (Int32). Default "SampleCount".</summary>
    public string OutputSampleCountColumnName { get; set; } = "SampleCount";

    /// <summary>The output sample rate in Hz. Default 16000.</summary>
    public int SampleRate { get; set; } = AudioLoader.DefaultSampleRate;

    /// <summary>Keep at most this many seconds from the start of each clip; null keeps all of it.</summary>
    public double? MaxDurationSeconds { get; set; }

    /// <summary>Relative paths are resolved against this folder; null resolves them against the current directory.</summary>
    public string? BaseDirectory { get; set; }

    /// <summary>What to do with a clip that cannot be read or decoded. Default <see cref="BadClipHandling.Throw"/>.</summary>
    public BadClipHandling BadClipHandling { get; set; } = BadClipHandling.Throw;

    /// <summary>Told about each skipped clip as it is met (Skip mode); not saved with the model.</summary>
    public IProgress<SkippedClip>? SkippedClipProgress { get; set; }

    internal LoadAudioOptions Validated()
    {
        static void RequireName(string? name, string property)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"LoadAudio: {property} must be a non-empty column name.", property);
            }
        }

        RequireName(OutputColumnName, nameof(OutputColumnName));
        RequireName(InputColumnName, nameof(InputColumnName));
        RequireName(OutputSampleCountColumnName, nameof(OutputSampleCountColumnName));
        if (OutputColumnName == OutputSampleCountColumnName)
        {
            throw new ArgumentException($"LoadAudio: the samples and sample-count columns are both named '{OutputColumnName}'.", nameof(OutputSampleCountColumnName));
        }

        if (SampleRate is < 1 or > 768_000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "LoadAudio: the sample rate must be between 1 and 768000 Hz.");
        }

        if (MaxDurationSeconds is { } seconds && !(seconds > 0 && double.IsFinite(seconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDurationSeconds), seconds, "LoadAudio: the maximum duration must be a positive number of seconds (or null for no limit).");
        }

        if (!Enum.IsDefined(BadClipHandling))
        {
            throw new ArgumentOutOfRangeException(nameof(BadClipHandling), BadClipHandling, "LoadAudio: unknown bad-clip handling.");
        }

        return new LoadAudioOptions
        {
            OutputColumnName = OutputColumnName,
            InputColumnName = InputColumnName,
            OutputSampleCountColumnName = OutputSampleCountColumnName,
            SampleRate = SampleRate,
            MaxDurationSeconds = MaxDurationSeconds,
            BaseDirectory = BaseDirectory,
            BadClipHandling = BadClipHandling,
            SkippedClipProgress = SkippedClipProgress,
        };
    }
}
