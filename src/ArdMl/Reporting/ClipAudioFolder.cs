using ArdMl.Audio;

namespace ArdMl.Reporting;

/// <summary>
/// Finds the audio file of a clip id in a folder and loads it as mono samples (the resolver a
/// <see cref="ConceptReportInputs.ClipAudio"/> needs). A clip id is looked up as an existing absolute path, then
/// relative to the folder, then relative to its <c>clips</c> subfolder (the demo corpus layout), then by file name alone.
/// </summary>
public sealed class ClipAudioFolder
{
    /// <summary>Creates a resolver over <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder holding the clips.</param>
    /// <param name="sampleRate">The rate samples are resampled to.</param>
    /// <param name="maxSeconds">Only this many seconds from each clip's start are decoded; null decodes all.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public ClipAudioFolder(string directory, int sampleRate = AudioLoader.DefaultSampleRate, double? maxSeconds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The audio folder '{directory}' does not exist.");
        }

        Directory = Path.GetFullPath(directory);
        SampleRate = sampleRate;
        MaxSeconds = maxSeconds;
    }

    /// <summary>The folder searched.</summary>
    public string Directory { get; }

    /// <summary>The rate samples are resampled to.</summary>
    public int SampleRate { get; }

    /// <summary>Seconds decoded from each clip's start; null: all.</summary>
    public double? MaxSeconds { get; }

    /// <summary>The path of the clip's file, or null when no candidate path exists.</summary>
    public string? Resolve(string clipId)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        if (clipId.Length == 0)
        {
            return null;
        }

        if (Path.IsPathRooted(clipId) && File.Exists(clipId))
        {
            return clipId;
        }

        var relative = clipId.TrimStart('/', '\\');
        foreach (var candidate in new[]
        {
            Path.Combine(Directory, relative),
            Path.Combine(Directory, "clips", relative),
            Path.Combine(Directory, Path.GetFileName(relative)),
            Path.Combine(Directory, "clips", Path.GetFileName(relative)),
        })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The clip's mono samples at <see cref="SampleRate"/>, or null when its file is not found.</summary>
    /// <exception cref="AudioDecodeException">The file exists but cannot be decoded.</exception>
    public float[]? Load(string clipId) =>
        Resolve(clipId) is { } path ? AudioLoader.LoadMono(path, SampleRate, MaxSeconds) : null;
}
