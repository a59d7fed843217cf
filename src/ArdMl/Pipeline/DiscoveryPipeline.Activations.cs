using System.Diagnostics;
using ArdMl.MlNet;
using Microsoft.ML;

namespace ArdMl.Pipeline;

/// <summary>Discovery from activation shards: the AR&amp;D chain without the audio model.</summary>
public static partial class DiscoveryPipeline
{
    /// <summary>
    /// Fits TrainSparseAutoencoder → RankConcepts on the clips of an activation shard folder
    /// (<see cref="ActivationShardDataView"/>, the schema of ExtractActivations) and writes the same run folder as
    /// <see cref="Discover"/>: model.zip (the SAE and concept stages; its input is the shard schema, so it scores
    /// activations, not audio), concepts.json, concept-scores.csv, clip-statistics.idv and run.json, which
    /// <see cref="MethodComparison.Run(string, string, MethodComparisonOptions, IProgress{ArdMl.Evaluation.BenchmarkMethod})"/> reads. Clip ids are the shards' clip ids.
    /// </summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Stage progress.</param>
    public static DiscoveryResult DiscoverFromActivations(ActivationDiscoveryOptions options, IProgress<DiscoveryProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckInputs(options);
        var folder = Path.GetFullPath(options.ActivationsDirectory);
        var runDirectory = Path.GetFullPath(options.OutputDirectory);
        var ml = new MLContext(seed: (int)(options.Seed % int.MaxValue));
        var stageSeconds = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();

        // Stage 1: read and verify the shards once into ML.NET's cache.
        var shards = ml.Data.LoadFromActivationShards(folder);
        var clipCount = (int)(shards.GetRowCount() ?? 0);
        var features = ml.Data.Cache(shards, ActivationShardDataView.ClipIdColumnName, ActivationShardDataView.ActivationsColumnName);
        long frames = 0;
        int used = 0;
        using (var cursor = features.GetRowCursor(features.Schema.Where(c => c.Name is ActivationShardDataView.ClipIdColumnName
                   or ActivationShardDataView.ActivationsColumnName or ActivationShardDataView.FrameCountColumnName)))
        {
            var frameCount = cursor.GetGetter<int>(features.Schema[ActivationShardDataView.FrameCountColumnName]);
            int count = 0;
            while (cursor.MoveNext())
            {
                frameCount(ref count);
                frames += count;
                used++;
                progress?.Report(new(DiscoveryStage.ExtractActivations, used, clipCount, $"{frames} frames"));
            }
        }

        if (used == 0)
        {
            throw new InvalidDataException($"Activation shard folder '{folder}' holds no clips.");
        }

        stageSeconds[nameof(DiscoveryStage.ExtractActivations)] = Lap(watch);
        return FitConceptStages(ml, features, shards.Schema, [], new ConceptStageSettings
        {
            RunDirectory = runDirectory,
            Stage = options,
            ClipIdColumnName = ActivationShardDataView.ClipIdColumnName,
            Width = shards.Manifest.Width,
            ClipCount = used,
            FrameCount = frames,
            LatentCount = options.LatentCount,
            K = options.K,
            Steps = options.Steps,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            Variant = options.Variant,
            MeanMode = options.MeanMode,
            ModelDescription = shards.Manifest.Model,
            Tap = shards.Manifest.Tap,
            ActivationsDirectory = folder,
            ClipsFound = clipCount,
        }, stageSeconds, watch, progress);
    }
}
