using System.Diagnostics;
using ArdMl.Concepts;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>
/// Discovery as map-reduce over the parts of an extraction: the SAE is trained once on all parts (<c>ard train</c>),
/// <see cref="EncodePart"/> maps each part to its clips' statistics (one process per part, any order, a failed part
/// rerun alone), and <see cref="RankParts"/> reduces them with the concept stages of
/// <see cref="DiscoverFromActivations"/> into the same run folder.
/// </summary>
public static partial class DiscoveryPipeline
{
    /// <summary>
    /// Encodes one activation shard part with a trained SAE: per clip the SAE's μ and c (stored sparse), the raw
    /// units' μ and c and the mean-pooled embedding, in part-statistics.idv, then part.json (model, tap, SAE
    /// fingerprint, counts). Memory: one clip's frames and the part's statistics. Rerunning replaces the folder's earlier encode.
    /// </summary>
    /// <param name="options">The part, the SAE and the output folder.</param>
    /// <param name="progress">Clips encoded (stage <see cref="DiscoveryStage.ExtractActivations"/>).</param>
    /// <exception cref="InvalidDataException">The SAE's width differs from the shards'.</exception>
    public static EncodedPartManifest EncodePart(PartEncodingOptions options, IProgress<DiscoveryProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = Path.GetFullPath(options.ActivationsDirectory);
        var saeDirectory = Path.GetFullPath(options.SaeDirectory);
        var output = Path.GetFullPath(options.OutputDirectory);
        var ml = new MLContext(seed: 0);
        var shards = ml.Data.LoadFromActivationShards(folder);
        var fingerprint = EncodedPartManifest.SaeFingerprint(saeDirectory);
        var sae = ml.Transforms.Ard().LoadSparseAutoencoder(saeDirectory, options.MeanMode);
        var width = shards.Manifest.Width;
        if (sae.Autoencoder.InputDim != width)
        {
            throw new InvalidDataException(
                $"The SAE '{saeDirectory}' reads frames of width {sae.Autoencoder.InputDim}, but '{folder}' holds {shards.Manifest.Model} / {shards.Manifest.Tap} of width {width}.");
        }

        Directory.CreateDirectory(output);
        File.Delete(Path.Combine(output, EncodedPartManifest.FileName)); // until the new statistics are whole
        var clipTotal = (int)(shards.GetRowCount() ?? 0);
        var latents = sae.LatentCount;
        int clips = 0;
        long frames = 0;
        IEnumerable<PartRow> Rows()
        {
            var encoded = sae.Transform(shards);
            var schema = encoded.Schema;
            var columns = new[]
            {
                schema[ActivationShardDataView.ClipIdColumnName], schema[ActivationShardDataView.ActivationsColumnName],
                schema[ActivationShardDataView.FrameCountColumnName], schema["MeanActivation"], schema["Coverage"],
            };
            using var cursor = encoded.GetRowCursor(columns);
            var id = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
            var activations = cursor.GetGetter<VBuffer<float>>(columns[1]);
            var frameCount = cursor.GetGetter<int>(columns[2]);
            var mean = cursor.GetGetter<VBuffer<float>>(columns[3]);
            var coverage = cursor.GetGetter<VBuffer<float>>(columns[4]);
            ReadOnlyMemory<char> idValue = default;
            VBuffer<float> activationValue = default, meanValue = default, coverageValue = default;
            var count = 0;
            var meanDense = new float[latents];
            var coverageDense = new float[latents];
            float[] clipFrames = [];
            while (cursor.MoveNext())
            {
                id(ref idValue);
                activations(ref activationValue);
                frameCount(ref count);
                mean(ref meanValue);
                coverage(ref coverageValue);
                if (clipFrames.Length != activationValue.Length)
                {
                    clipFrames = new float[activationValue.Length];
                }

                activationValue.CopyTo(clipFrames);
                meanValue.CopyTo(meanDense);
                coverageValue.CopyTo(coverageDense);
                var row = PartRow.From(idValue.ToString(), meanDense, coverageDense, clipFrames, width);
                clips++;
                frames += count;
                progress?.Report(new(DiscoveryStage.ExtractActivations, clips, clipTotal, $"{frames} frames"));
                yield return row;
            }
        }

        var statisticsPath = Path.Combine(output, EncodedPartManifest.StatisticsFileName);
        // The rows of one part are held (sparse μ and c, 3·d dense values each): the binary saver reads its input twice.
        var rows = Rows().ToList();
        var data = ml.Data.LoadFromEnumerable(rows, PartRow.Schema(latents, width));
        using (var stream = File.Create(statisticsPath + ".tmp"))
        {
            ml.Data.SaveAsBinary(data, stream, keepHidden: false);
        }

        File.Move(statisticsPath + ".tmp", statisticsPath, overwrite: true);
        if (clips == 0)
        {
            throw new InvalidDataException($"Activation shard folder '{folder}' holds no clips.");
        }

        var manifest = EncodedPartManifest.For(folder, shards.Manifest, saeDirectory, fingerprint, latents, clips, frames, options.MeanMode);
        manifest.Save(output);
        return manifest;
    }

    /// <summary>
    /// Merges encoded parts (<see cref="EncodePart"/>, one SAE) into a run folder: RankConcepts on every clip's
    /// statistics (ranking, H/L sets, monosemanticity, names, detection scores, selection), then model.zip (the SAE and
    /// concept stages on the shard schema), concepts.json, concept-scores.csv, clip-statistics.idv and run.json, equal
    /// to those of <see cref="DiscoverFromActivations"/> with the same SAE settings on the same clips. The parts are
    /// streamed (one clip in memory at a time; the ranking keeps O(m·p)). Refuses parts of different models, taps or
    /// SAEs, duplicate, unfinished and missing parts, naming them.
    /// </summary>
    /// <param name="options">The parts, the SAE, the output folder and the concept-stage settings.</param>
    /// <param name="progress">Stage progress.</param>
    public static DiscoveryResult RankParts(PartRankingOptions options, IProgress<DiscoveryProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var saeDirectory = Path.GetFullPath(options.SaeDirectory);
        var runDirectory = Path.GetFullPath(options.OutputDirectory);
        var stageSeconds = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();
        var parts = EncodedPartSet.Open(options.Parts, saeDirectory, EncodedPartManifest.SaeFingerprint(saeDirectory));
        var probe = new MLContext(seed: 0);
        var meanMode = parts.First.MeanMode; // every part agrees (EncodedPartSet.Open)
        var sae = probe.Transforms.Ard().LoadSparseAutoencoder(saeDirectory, meanMode);
        var seed = options.Seed ?? sae.Metrics.Seed;
        var ml = new MLContext(seed: (int)(seed % int.MaxValue));
        Directory.CreateDirectory(runDirectory);
        var first = parts.First;
        var latents = sae.LatentCount;
        var width = first.Width;
        var settings = new ConceptStageSettings
        {
            RunDirectory = runDirectory,
            Stage = options,
            ClipIdColumnName = nameof(ClipStatisticsStore.Row.Clip),
            Width = width,
            ClipCount = parts.ClipCount,
            FrameCount = parts.FrameCount,
            LatentCount = latents,
            K = sae.Autoencoder.K,
            Variant = sae.Autoencoder.Variant,
            MeanMode = meanMode,
            Steps = (int)sae.Metrics.Steps,
            BatchSize = Math.Max(1, sae.Metrics.BatchSize),
            Seed = seed,
            ModelDescription = first.Model,
            Tap = first.Tap,
            ActivationsDirectory = parts.CommonActivationsDirectory,
            ClipsFound = parts.ClipCount,
        };
        progress?.Report(new(DiscoveryStage.ExtractActivations, parts.Parts.Count, parts.Parts.Count, $"{parts.Parts.Count} parts, {parts.ClipCount} clips"));
        stageSeconds[nameof(DiscoveryStage.ExtractActivations)] = Lap(watch);

        // Stage 3 of the one-process run, on the parts' statistics.
        var statistics = ml.Data.LoadFromEnumerable(parts.ReadRows(ml), ClipStatisticsStore.Schema(latents, width));
        var concepts = FitRankConcepts(ml, statistics, settings, nameof(ClipStatisticsStore.Row.Embedding), progress);
        stageSeconds[nameof(DiscoveryStage.RankConcepts)] = Lap(watch);

        // Stage 4: score every clip, write the run folder (streaming the parts again).
        var dictionary = concepts.Dictionary;
        var model = new TransformerChain<ITransformer>([sae, concepts]);
        ml.Model.Save(model, ActivationShardDataView.SchemaFor(width), Path.Combine(runDirectory, DiscoveryManifest.ModelFileName));
        ConceptDictionaryJson.Save(dictionary, Path.Combine(runDirectory, DiscoveryManifest.ConceptsFileName));
        ConceptScoreCsv.Write(
            Path.Combine(runDirectory, DiscoveryManifest.ScoresFileName),
            dictionary.ConceptNames,
            Scores(concepts.Transform(statistics), settings.ClipIdColumnName, done => progress?.Report(new(DiscoveryStage.WriteOutputs, done, settings.ClipCount, "scoring clips"))));
        ClipStatisticsStore.Write(ml, Path.Combine(runDirectory, DiscoveryManifest.StatisticsFileName), latents, width, parts.ReadRows(ml));
        stageSeconds[nameof(DiscoveryStage.WriteOutputs)] = Lap(watch);

        var batchSize = (int)Math.Clamp(settings.FrameCount, 1, settings.BatchSize);
        var manifest = Manifest(settings, latents, batchSize, sae, meanModeChoice: null, dictionary, stageSeconds);
        manifest.Save(runDirectory);
        return new DiscoveryResult(runDirectory, manifest, dictionary);
    }

    private static IEnumerable<(string Clip, float[] Scores)> Scores(IDataView scored, string clipColumn, Action<int> report)
    {
        var schema = scored.Schema;
        var columns = new[] { schema[clipColumn], schema["ConceptScores"] };
        using var cursor = scored.GetRowCursor(columns);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
        var conceptScores = cursor.GetGetter<VBuffer<float>>(columns[1]);
        ReadOnlyMemory<char> idValue = default;
        VBuffer<float> scoreValue = default;
        var done = 0;
        while (cursor.MoveNext())
        {
            id(ref idValue);
            conceptScores(ref scoreValue);
            report(++done);
            yield return (idValue.ToString(), scoreValue.DenseValues().ToArray());
        }
    }

    /// <summary>A row of part-statistics.idv: the SAE's μ and c sparse (only latents that fired), the rest dense.</summary>
    private sealed class PartRow
    {
        public string Clip { get; set; } = "";

        public VBuffer<float> MeanActivation { get; set; }

        public VBuffer<float> Coverage { get; set; }

        public float[] RawMeanActivation { get; set; } = [];

        public float[] RawCoverage { get; set; } = [];

        public float[] Embedding { get; set; } = [];

        public static PartRow From(string clip, float[] mean, float[] coverage, float[] frames, int width)
        {
            var active = new List<int>();
            for (var i = 0; i < mean.Length; i++)
            {
                // Bit patterns, not values: a stored -0 or NaN comes back as it was.
                if (BitConverter.SingleToInt32Bits(mean[i]) != 0 || BitConverter.SingleToInt32Bits(coverage[i]) != 0)
                {
                    active.Add(i);
                }
            }

            var indices = active.ToArray();
            var row = new PartRow
            {
                Clip = clip,
                MeanActivation = new VBuffer<float>(mean.Length, indices.Length, [.. indices.Select(i => mean[i])], [.. indices]),
                Coverage = new VBuffer<float>(coverage.Length, indices.Length, [.. indices.Select(i => coverage[i])], indices),
                RawMeanActivation = new float[width],
                RawCoverage = new float[width],
                Embedding = new float[width],
            };
            ClipStatistics.FromFrames(frames, width, row.RawMeanActivation, row.RawCoverage);
            ClipStatistics.MeanPool(frames, width, row.Embedding);
            return row;
        }

        public static SchemaDefinition Schema(int latents, int width)
        {
            var schema = SchemaDefinition.Create(typeof(PartRow));
            schema[nameof(MeanActivation)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, latents);
            schema[nameof(Coverage)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, latents);
            schema[nameof(RawMeanActivation)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            schema[nameof(RawCoverage)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            schema[nameof(Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            return schema;
        }
    }
}
