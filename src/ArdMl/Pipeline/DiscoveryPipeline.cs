using System.Diagnostics;
using ArdMl.Concepts;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>What <see cref="DiscoveryPipeline.Discover"/> produced.</summary>
/// <param name="RunDirectory">The run folder.</param>
/// <param name="Manifest">run.json as written.</param>
/// <param name="Dictionary">The concept dictionary.</param>
public sealed record DiscoveryResult(string RunDirectory, DiscoveryManifest Manifest, ConceptDictionary Dictionary);

/// <summary>What <see cref="DiscoveryPipeline.Apply"/> produced.</summary>
/// <param name="ClipCount">Clips scored.</param>
/// <param name="ConceptNames">CSV column names (unique).</param>
/// <param name="SkippedClips">Clips left out, with reasons.</param>
public sealed record ApplyResult(int ClipCount, IReadOnlyList<string> ConceptNames, IReadOnlyList<SkippedClipEntry> SkippedClips);

/// <summary>
/// The whole AR&amp;D chain as one ML.NET pipeline: LoadAudio → ExtractActivations → TrainSparseAutoencoder →
/// RankConcepts, fitted on a folder of clips and saved as one model zip, plus the run folder eval and report read.
/// </summary>
public static partial class DiscoveryPipeline
{
    /// <summary>Audio file extensions a run picks up.</summary>
    public static readonly IReadOnlyList<string> AudioExtensions = [".wav", ".flac", ".mp3", ".ogg"];

    private const string ClipColumn = "Clip";
    private const string PathColumn = "Path";

    /// <summary>The clips of a folder: paths relative to it with '/' separators, ordinal order, at most <paramref name="maxClips"/>.</summary>
    /// <param name="audioDirectory">The audio folder (searched recursively).</param>
    /// <param name="maxClips">Clip limit; null = all.</param>
    public static IReadOnlyList<string> FindClips(string audioDirectory, int? maxClips = null)
    {
        if (!Directory.Exists(audioDirectory))
        {
            throw new DirectoryNotFoundException($"Audio folder '{audioDirectory}' does not exist.");
        }

        var clips = Directory.EnumerateFiles(audioDirectory, "*", SearchOption.AllDirectories)
            .Where(f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(audioDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        return [.. maxClips is { } max ? clips.Take(max) : clips];
    }

    /// <summary>
    /// Fits the pipeline on the clips of <see cref="DiscoveryOptions.AudioDirectory"/> and writes the run folder:
    /// model.zip (mlContext.Model.Save), concepts.json, concept-scores.csv, clip-statistics.idv and run.json.
    /// Clips that cannot be decoded are skipped and listed in the manifest. The inputs are checked first
    /// (<see cref="CheckInputs(DiscoveryOptions)"/>); the run folder is created only once there is a run to write.
    /// </summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Stage progress.</param>
    public static DiscoveryResult Discover(DiscoveryOptions options, IProgress<DiscoveryProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var description = CheckInputs(options).ModelDescription;
        var audio = Path.GetFullPath(options.AudioDirectory);
        var runDirectory = Path.GetFullPath(options.OutputDirectory);
        var clips = FindClips(audio, options.MaxClips);
        var ml = new MLContext(seed: (int)(options.Seed % int.MaxValue));
        var input = ml.Data.LoadFromEnumerable(clips.Select(c => new ClipInput { Clip = c, Path = Path.Combine(audio, c) }));
        var stageSeconds = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();

        // Stage 1: LoadAudio → ExtractActivations, cached in memory so the SAE and the ranker read activations once.
        var featurizer = ml.Transforms.Ard().LoadAudio(new LoadAudioOptions
        {
            InputColumnName = PathColumn,
            SampleRate = description.SampleRate,
            MaxDurationSeconds = options.MaxDurationSeconds,
            BadClipHandling = BadClipHandling.Skip,
        })
            .Append(ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions
            {
                ModelDescriptionPath = Path.GetFullPath(options.ModelDescriptionPath),
                Tap = options.Tap,
                Workers = options.Workers,
                ModelStorage = options.ModelStorage,
            }))
            .Fit(input);
        var extractor = featurizer.LastTransformer;
        var loadAudio = featurizer.OfType<LoadAudioTransformer>().Single();
        var features = ml.Data.Cache(featurizer.Transform(input), ClipColumn, "Activations");
        long frames = 0;
        int used = 0;
        using (var cursor = features.GetRowCursor(features.Schema.Where(c => c.Name is ClipColumn or "Activations" or "FrameCount")))
        {
            var frameCount = cursor.GetGetter<int>(features.Schema["FrameCount"]);
            int count = 0;
            while (cursor.MoveNext())
            {
                frameCount(ref count);
                frames += count;
                used++;
                progress?.Report(new(DiscoveryStage.ExtractActivations, used + loadAudio.SkippedClips.Count, clips.Count, $"{frames} frames"));
            }
        }

        if (used == 0)
        {
            throw new InvalidDataException($"None of the {clips.Count} clips in '{audio}' could be read; first problem: {loadAudio.SkippedClips.FirstOrDefault()?.Reason}");
        }

        stageSeconds[nameof(DiscoveryStage.ExtractActivations)] = Lap(watch);

        return FitConceptStages(ml, features, input.Schema, featurizer, new ConceptStageSettings
        {
            RunDirectory = runDirectory,
            Stage = options,
            ClipIdColumnName = ClipColumn,
            Width = extractor.Width,
            ClipCount = used,
            FrameCount = frames,
            LatentCount = options.LatentCount,
            K = options.K,
            Steps = options.Steps,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            Variant = options.Variant,
            MeanMode = options.MeanMode,
            ModelDescription = Path.GetFullPath(options.ModelDescriptionPath),
            Tap = extractor.Tap,
            AudioDirectory = audio,
            MaxClips = options.MaxClips,
            ClipsFound = clips.Count,
            SkippedClips = [.. loadAudio.SkippedClips.Select(s => new SkippedClipEntry(Relative(audio, s.Source), s.Reason))],
        }, stageSeconds, watch, progress);
    }

    /// <summary>
    /// Loads a model zip written by <see cref="Discover"/> (mlContext.Model.Load) and writes the concept scores of the
    /// clips of <paramref name="audioDirectory"/> in the same CSV layout as discover's concept-scores.csv.
    /// </summary>
    /// <param name="modelPath">model.zip of a run.</param>
    /// <param name="audioDirectory">Folder of clips to score.</param>
    /// <param name="outputCsv">CSV to write.</param>
    /// <param name="maxClips">Clip limit; null = all.</param>
    /// <param name="progress">Receives clips scored so far (stage <see cref="DiscoveryStage.WriteOutputs"/>).</param>
    public static ApplyResult Apply(string modelPath, string audioDirectory, string outputCsv, int? maxClips = null, IProgress<DiscoveryProgress>? progress = null)
    {
        var audio = Path.GetFullPath(audioDirectory);
        var ml = new MLContext();
        var model = ArdModelFile.Load(ml, modelPath, out _);
        var chain = ArdModelFile.Stages(model).ToList();
        var concepts = ArdModelFile.RequireStage<ConceptTransformer>(model, modelPath, "concept stage (RankConcepts)");
        if (chain.OfType<LoadAudioTransformer>().FirstOrDefault() is null)
        {
            throw new ModelFileException(modelPath, "has no LoadAudio stage: it was fitted on activation shards ('ard discover --activations'), so it scores activations, not audio clips.");
        }

        var clips = FindClips(audio, maxClips);
        if (clips.Count == 0)
        {
            throw new InvalidDataException($"Audio folder '{audio}' holds no {string.Join("/", AudioExtensions)} files.");
        }
        var input = ml.Data.LoadFromEnumerable(clips.Select(c => new ClipInput { Clip = c, Path = Path.Combine(audio, c) }));
        var scored = model.Transform(input);
        var rows = new List<(string, float[])>(clips.Count);
        var idColumn = scored.Schema[ClipColumn];
        var scoreColumn = scored.Schema[concepts.ConceptScoresColumnName];
        using (var cursor = scored.GetRowCursor([idColumn, scoreColumn]))
        {
            var id = cursor.GetGetter<ReadOnlyMemory<char>>(idColumn);
            var score = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            ReadOnlyMemory<char> idValue = default;
            VBuffer<float> scoreValue = default;
            while (cursor.MoveNext())
            {
                id(ref idValue);
                score(ref scoreValue);
                rows.Add((idValue.ToString(), scoreValue.DenseValues().ToArray()));
                progress?.Report(new(DiscoveryStage.WriteOutputs, rows.Count, clips.Count, "scoring clips"));
            }
        }

        var names = ConceptScoreCsv.UniqueNames(concepts.Dictionary.ConceptNames);
        ConceptScoreCsv.Write(outputCsv, names, rows);
        var skipped = chain.OfType<LoadAudioTransformer>().SelectMany(l => l.SkippedClips)
            .Select(s => new SkippedClipEntry(Relative(audio, s.Source), s.Reason)).ToList();
        return new ApplyResult(rows.Count, names, skipped);
    }

    private static string Relative(string audio, string source) =>
        Path.IsPathRooted(source) ? Path.GetRelativePath(audio, source).Replace('\\', '/') : source;

    private static double Lap(Stopwatch watch)
    {
        var seconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        return Math.Round(seconds, 2);
    }

    private sealed class ClipInput
    {
        public string Clip { get; set; } = "";

        public string Path { get; set; } = "";
    }

    private sealed class ForwardingProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
