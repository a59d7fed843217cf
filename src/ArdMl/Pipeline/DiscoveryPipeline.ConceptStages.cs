using System.Diagnostics;
using System.Globalization;
using ArdMl.Concepts;
using ArdMl.MlNet;
using ArdMl.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>The stages after the activations, shared by discovery from audio and from activation shards.</summary>
public static partial class DiscoveryPipeline
{
    /// <summary>
    /// TrainSparseAutoencoder → RankConcepts on cached activations, then scores every clip once and writes the run
    /// folder (model.zip of <paramref name="front"/> + the two fitted stages, concepts.json, concept-scores.csv,
    /// clip-statistics.idv, run.json).
    /// </summary>
    private static DiscoveryResult FitConceptStages(
        MLContext ml,
        IDataView features,
        DataViewSchema inputSchema,
        IEnumerable<ITransformer> front,
        ConceptStageSettings settings,
        Dictionary<string, double> stageSeconds,
        Stopwatch watch,
        IProgress<DiscoveryProgress>? progress)
    {
        // Stage 2: the SAE.
        var latents = settings.LatentCount ?? DiscoveryOptions.DefaultLatentsPerUnit * settings.Width;
        var batchSize = (int)Math.Clamp(settings.FrameCount, 1, settings.BatchSize); // a batch larger than the corpus only repeats frames
        var sae = ml.Transforms.Ard().TrainSparseAutoencoder(new TrainSparseAutoencoderOptions
        {
            MeanMode = settings.MeanMode ?? ClipMeanMode.AllFrames,
            Trainer = new SparseAutoencoderTrainerOptions
            {
                LatentCount = latents,
                K = Math.Min(settings.K, latents),
                Variant = settings.Variant,
                Steps = settings.Steps,
                BatchSize = settings.BatchSize,
                Seed = settings.Seed,
                ProgressInterval = Math.Max(1, settings.Steps / 200),
            },
            Progress = progress is null ? null : new ForwardingProgress<SaeTrainingProgress>(p => progress.Report(new(
                DiscoveryStage.TrainSparseAutoencoder, p.Step, p.TotalSteps,
                string.Create(CultureInfo.InvariantCulture, $"FVU {p.Fvu:F3}, dead {p.DeadFraction:P0}")))),
        })
            .Fit(features);
        var encoded = sae.Transform(features);
        stageSeconds[nameof(DiscoveryStage.TrainSparseAutoencoder)] = Lap(watch);

        // Stage 3: rank, score, select, name; where the mean mode is left open and texts name the concepts, under both
        // readings of μ from the same SAE, keeping the one whose names hold better on these clips.
        var concepts = FitRankConcepts(ml, encoded, settings, embeddingColumnName: null, progress);
        ClipMeanModeChoice? meanModeChoice = null;
        if (settings.MeanMode is null && (settings.Stage.LabelsPath ?? settings.Stage.CaptionsPath) is not null)
        {
            var active = sae.WithMeanMode(ClipMeanMode.ActiveFrames);
            var activeEncoded = active.Transform(features);
            var activeConcepts = FitRankConcepts(ml, activeEncoded, settings, embeddingColumnName: null, progress);
            meanModeChoice = MeasureMeanModes(settings, (concepts.Dictionary, encoded), (activeConcepts.Dictionary, activeEncoded));
            if (meanModeChoice.Chosen == ClipMeanMode.ActiveFrames)
            {
                (sae, encoded, concepts) = (active, activeEncoded, activeConcepts);
            }
        }

        stageSeconds[nameof(DiscoveryStage.RankConcepts)] = Lap(watch);

        // Stage 4: score every clip once (from the cache), keep the statistics eval needs, save everything.
        var runDirectory = settings.RunDirectory;
        var dictionary = concepts.Dictionary;
        var store = new ClipStatisticsStore(latents, settings.Width);
        var scores = new List<(string, float[])>(settings.ClipCount);
        var scored = concepts.Transform(encoded);
        ReadRows(scored, settings.ClipIdColumnName, store, scores, done => progress?.Report(new(DiscoveryStage.WriteOutputs, done, settings.ClipCount, "scoring clips")));
        var model = new TransformerChain<ITransformer>([.. front, sae, concepts]);
        Directory.CreateDirectory(runDirectory);
        ml.Model.Save(model, inputSchema, Path.Combine(runDirectory, DiscoveryManifest.ModelFileName));
        ConceptDictionaryJson.Save(dictionary, Path.Combine(runDirectory, DiscoveryManifest.ConceptsFileName));
        ConceptScoreCsv.Write(Path.Combine(runDirectory, DiscoveryManifest.ScoresFileName), dictionary.ConceptNames, scores);
        store.Save(ml, Path.Combine(runDirectory, DiscoveryManifest.StatisticsFileName));
        stageSeconds[nameof(DiscoveryStage.WriteOutputs)] = Lap(watch);

        var manifest = Manifest(settings, latents, batchSize, sae, meanModeChoice, dictionary, stageSeconds);
        manifest.Save(runDirectory);
        return new DiscoveryResult(runDirectory, manifest, dictionary);
    }

    /// <summary>
    /// Stage 3, shared by every entry point: RankConcepts on clip statistics (MeanActivation, Coverage and either the
    /// frames or <paramref name="embeddingColumnName"/> for the embeddings).
    /// </summary>
    private static ConceptTransformer FitRankConcepts(
        MLContext ml, IDataView encoded, ConceptStageSettings settings, string? embeddingColumnName, IProgress<DiscoveryProgress>? progress)
    {
        var namingFile = settings.Stage.LabelsPath ?? settings.Stage.CaptionsPath;
        progress?.Report(new(DiscoveryStage.RankConcepts, 0, 1, "ranking clips"));
        return ml.Transforms.Ard().RankConcepts(new RankConceptsOptions
        {
            ClipIdColumnName = settings.ClipIdColumnName,
            EmbeddingColumnName = embeddingColumnName,
            CaptionFilePath = namingFile is null ? null : Path.GetFullPath(namingFile),
            CaptionKind = settings.Stage.LabelsPath is null ? CaptionKind.Captions : CaptionKind.Labels,
            ClipsPerSet = settings.Stage.ClipsPerSet,
            RandomSeed = settings.Seed,
            MinimumMonosemanticity = settings.Stage.MinimumMonosemanticity,
            ConceptCount = settings.Stage.ConceptCount,
            GroupPattern = settings.Stage.GroupPattern,
            MinimumDetectionScore = settings.Stage.MinimumDetectionScore,
            MergeByName = settings.Stage.MergeByName,
            NamingProgress = progress is null ? null : new ForwardingProgress<ConceptNamingProgress>(p =>
                progress.Report(new(DiscoveryStage.RankConcepts, p.Named, p.Total, p.LastName))),
        })
            .Fit(encoded);
    }

    /// <summary><see cref="ClipMeanModeChoice.Measure(ConceptDictionary, IDataView, ConceptDictionary, IDataView, CaptionCorpus, string, string?, string, string)"/> of the concepts found under each reading.</summary>
    private static ClipMeanModeChoice MeasureMeanModes(
        ConceptStageSettings settings, (ConceptDictionary Dictionary, IDataView Encoded) allFrames, (ConceptDictionary Dictionary, IDataView Encoded) activeFrames)
    {
        var namingFile = (settings.Stage.LabelsPath ?? settings.Stage.CaptionsPath)!;
        var corpus = CaptionCorpus.Create(
            CaptionTable.ReadCsv(Path.GetFullPath(namingFile)), settings.Stage.LabelsPath is null ? CaptionKind.Captions : CaptionKind.Labels);
        return ClipMeanModeChoice.Measure(
            allFrames.Dictionary, allFrames.Encoded, activeFrames.Dictionary, activeFrames.Encoded, corpus, settings.ClipIdColumnName, settings.Stage.GroupPattern);
    }

    /// <summary>run.json of a finished run.</summary>
    private static DiscoveryManifest Manifest(
        ConceptStageSettings settings, int latents, int batchSize, SparseAutoencoderTransformer sae, ClipMeanModeChoice? meanModeChoice,
        ConceptDictionary dictionary, Dictionary<string, double> stageSeconds)
    {
        var metrics = sae.Metrics;
        return new DiscoveryManifest
        {
            CreatedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ModelDescription = settings.ModelDescription,
            Tap = settings.Tap,
            AudioDirectory = settings.AudioDirectory,
            ActivationsDirectory = settings.ActivationsDirectory,
            CaptionsPath = settings.Stage.CaptionsPath is null ? null : Path.GetFullPath(settings.Stage.CaptionsPath),
            LabelsPath = settings.Stage.LabelsPath is null ? null : Path.GetFullPath(settings.Stage.LabelsPath),
            NamingSource = settings.Stage.LabelsPath is not null ? "labels" : settings.Stage.CaptionsPath is not null ? "captions" : "none",
            ActivationWidth = settings.Width,
            LatentCount = latents,
            K = Math.Min(settings.K, latents),
            Variant = SaeLensFormat.VariantName(settings.Variant),
            MeanMode = sae.MeanMode,
            MeanModeChoice = meanModeChoice,
            Steps = settings.Steps,
            BatchSize = batchSize,
            Seed = settings.Seed,
            MaxClips = settings.MaxClips,
            ClipsPerSet = settings.Stage.ClipsPerSet,
            MinimumMonosemanticity = settings.Stage.MinimumMonosemanticity,
            ConceptCount = settings.Stage.ConceptCount,
            GroupPattern = settings.Stage.GroupPattern,
            MinimumDetectionScore = settings.Stage.MinimumDetectionScore,
            MergeByName = settings.Stage.MergeByName,
            ClipsFound = settings.ClipsFound,
            ClipsUsed = settings.ClipCount,
            FrameCount = settings.FrameCount,
            FinalFvu = metrics.FinalFvu,
            DeadFraction = metrics.DeadFraction,
            ConceptsFound = dictionary.Concepts.Count,
            DeadLatents = dictionary.DeadLatents.Count,
            StageSeconds = stageSeconds,
            SkippedClips = [.. settings.SkippedClips],
        };
    }

    private static void ReadRows(IDataView scored, string clipColumn, ClipStatisticsStore store, List<(string, float[])> scores, Action<int> report)
    {
        var schema = scored.Schema;
        var columns = new[] { schema[clipColumn], schema["Activations"], schema["MeanActivation"], schema["Coverage"], schema["ConceptScores"] };
        using var cursor = scored.GetRowCursor(columns);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
        var activations = cursor.GetGetter<VBuffer<float>>(columns[1]);
        var mean = cursor.GetGetter<VBuffer<float>>(columns[2]);
        var coverage = cursor.GetGetter<VBuffer<float>>(columns[3]);
        var conceptScores = cursor.GetGetter<VBuffer<float>>(columns[4]);
        ReadOnlyMemory<char> idValue = default;
        VBuffer<float> activationValue = default, meanValue = default, coverageValue = default, scoreValue = default;
        float[] frames = [];
        while (cursor.MoveNext())
        {
            id(ref idValue);
            activations(ref activationValue);
            mean(ref meanValue);
            coverage(ref coverageValue);
            conceptScores(ref scoreValue);
            if (frames.Length != activationValue.Length)
            {
                frames = new float[activationValue.Length];
            }

            activationValue.CopyTo(frames);
            var clip = idValue.ToString();
            store.Add(clip, meanValue.DenseValues().ToArray(), coverageValue.DenseValues().ToArray(), frames);
            scores.Add((clip, scoreValue.DenseValues().ToArray()));
            report(scores.Count);
        }
    }

    /// <summary>What the concept stages need from either entry point, and what run.json records of the source.</summary>
    private sealed class ConceptStageSettings
    {
        public required string RunDirectory { get; init; }

        /// <summary>The naming and selection options of the entry point (outputs, texts, sets, detection, merge).</summary>
        public required ConceptStageOptions Stage { get; init; }

        public required string ClipIdColumnName { get; init; }

        public required int Width { get; init; }

        public required int ClipCount { get; init; }

        public required long FrameCount { get; init; }

        public int? LatentCount { get; init; }

        public required int K { get; init; }

        public SaeVariant Variant { get; init; }

        /// <summary>What μ averages over; null = chosen on the run's clips where texts name the concepts (<see cref="ClipMeanModeChoice"/>).</summary>
        public ClipMeanMode? MeanMode { get; init; }

        public required int Steps { get; init; }

        public required int BatchSize { get; init; }

        public required ulong Seed { get; init; }

        public required string ModelDescription { get; init; }

        public required string Tap { get; init; }

        public string AudioDirectory { get; init; } = "";

        public string? ActivationsDirectory { get; init; }

        public int? MaxClips { get; init; }

        public required int ClipsFound { get; init; }

        public IReadOnlyList<SkippedClipEntry> SkippedClips { get; init; } = [];
    }
}
