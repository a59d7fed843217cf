using ArdMl.Activations;
using ArdMl.Concepts;

namespace ArdMl.Pipeline;

/// <summary>
/// What <see cref="DiscoveryPipeline.CheckInputs(DiscoveryOptions)"/> found before any long work: the clips, and
/// warnings about naming files that name clips outside the corpus or leave corpus clips without text.
/// </summary>
/// <param name="ClipCount">Clips that discovery will read.</param>
/// <param name="ModelDescription">The model description, loaded.</param>
/// <param name="Warnings">Problems that do not stop discovery, one sentence each.</param>
public sealed record DiscoveryInputCheck(int ClipCount, ModelDescription ModelDescription, IReadOnlyList<string> Warnings);

/// <summary>The input checks of discovery.</summary>
public static partial class DiscoveryPipeline
{
    /// <summary>
    /// Checks everything discovery reads before extraction and training start, and throws naming the file or setting
    /// when one is wrong: the model description, the audio folder (it must hold clips), the captions and labels CSV
    /// files (header <c>clip,text</c>) and the run folder (it must not be a file). Labels or captions that name clips
    /// outside the corpus, and corpus clips without any, come back as <see cref="DiscoveryInputCheck.Warnings"/>.
    /// </summary>
    /// <param name="options">What discovery is to run.</param>
    /// <exception cref="ClipTextFileException">A captions or labels file is malformed.</exception>
    /// <exception cref="ModelDescriptionException">The model description is malformed.</exception>
    public static DiscoveryInputCheck CheckInputs(DiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckRunFolder(options.OutputDirectory);
        var description = ModelDescription.Load(options.ModelDescriptionPath);
        var audio = Path.GetFullPath(options.AudioDirectory);
        var clips = FindClips(audio, options.MaxClips);
        if (clips.Count == 0)
        {
            throw new InvalidDataException($"Audio folder '{audio}' holds no {string.Join("/", AudioExtensions)} files.");
        }

        var warnings = new List<string>();
        foreach (var (path, kind) in new[] { (options.LabelsPath, "labels"), (options.CaptionsPath, "captions") })
        {
            if (path is not null)
            {
                var full = Path.GetFullPath(path);
                warnings.AddRange(NamingWarnings(ReadNamingFile(full, kind, clips), full, kind, clips.Count));
            }
        }

        return new DiscoveryInputCheck(clips.Count, description, warnings);
    }

    /// <summary>
    /// Checks the naming files of a discovery from activation shards before the shards are read: each must be a
    /// <c>clip,text</c> CSV; the run folder must not be a file.
    /// </summary>
    /// <param name="options">What discovery is to run.</param>
    public static void CheckInputs(ActivationDiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckRunFolder(options.OutputDirectory);
        foreach (var (path, kind) in new[] { (options.LabelsPath, "labels"), (options.CaptionsPath, "captions") })
        {
            if (path is not null)
            {
                ReadNamingFile(Path.GetFullPath(path), kind, null);
            }
        }
    }

    private static void CheckRunFolder(string runDirectory)
    {
        if (File.Exists(runDirectory))
        {
            throw new IOException($"The run folder '{Path.GetFullPath(runDirectory)}' is a file; give a folder to write the run into.");
        }
    }

    private static CaptionTable ReadNamingFile(string path, string kind, IReadOnlyList<string>? clips)
    {
        var table = CaptionTable.ReadCsv(path, clips);
        if (table.ClipCount == 0 && clips is not null)
        {
            throw new ClipTextFileException(path, 1,
                $"none of its {kind} names a clip of the corpus; clip ids are paths relative to the audio folder with '/' separators, e.g. '{clips[0]}'.");
        }

        return table;
    }

    private static IEnumerable<string> NamingWarnings(CaptionTable table, string path, string kind, int clipCount)
    {
        if (table.UnknownClipIds.Count > 0)
        {
            yield return $"{table.UnknownClipIds.Count} clip(s) in the {kind} file '{path}' are not in the corpus (left out), e.g. '{table.UnknownClipIds[0]}'.";
        }

        if (table.ClipsWithoutText.Count > 0)
        {
            yield return $"{table.ClipsWithoutText.Count} of {clipCount} corpus clip(s) have no {kind} in '{path}' (they are not used for naming), e.g. '{table.ClipsWithoutText[0]}'.";
        }
    }
}
