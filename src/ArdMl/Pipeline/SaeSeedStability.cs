using System.Globalization;
using ArdMl.Evaluation;
using ArdMl.MlNet;
using ArdMl.Sae;
using Microsoft.ML;

namespace ArdMl.Pipeline;

/// <summary>
/// The stability of a run's SAE over seeds: trains further SAEs (TrainSparseAutoencoder, the run's m, k, variant,
/// steps and batch, seeds run seed + 1, + 2, …) on the run's activations — read again from its activation shards, or
/// re-extracted from its audio by the front of its model.zip — and matches their decoder directions with the run's
/// own SAE (<see cref="SaeStability.MatchedSimilarity"/>), beside the same for untrained, randomly initialised SAEs of
/// the same seeds as the baseline.
/// </summary>
public static class SaeSeedStability
{
    /// <summary>Measures the stability of the SAE of <paramref name="runDirectory"/>.</summary>
    /// <param name="runDirectory">The run folder (run.json, model.zip).</param>
    /// <param name="options">Further seeds; defaults when null.</param>
    /// <param name="progress">Receives re-extraction and training progress.</param>
    public static SaeStabilityResult Measure(string runDirectory, SaeStabilityOptions? options = null, IProgress<DiscoveryProgress>? progress = null)
    {
        options ??= new SaeStabilityOptions();
        options.Validate();
        var manifest = DiscoveryManifest.Load(runDirectory);
        var modelPath = Path.Combine(runDirectory, manifest.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Model '{modelPath}' does not exist; stability needs the run's model.zip.", modelPath);
        }

        var ml = new MLContext(seed: (int)(manifest.Seed % int.MaxValue));
        var model = ml.Model.Load(modelPath, out _);
        var chain = (model as IEnumerable<ITransformer> ?? [model]).ToList();
        var saeIndex = chain.FindIndex(t => t is SparseAutoencoderTransformer);
        if (saeIndex < 0)
        {
            throw new InvalidDataException($"Model '{modelPath}' has no SAE stage (TrainSparseAutoencoder); it was not written by 'ard discover'.");
        }

        var runSae = ((SparseAutoencoderTransformer)chain[saeIndex]).Autoencoder;
        var features = Activations(ml, manifest, chain.Take(saeIndex).ToList(), progress);
        if (!SaeLensFormat.TryParseVariant(manifest.Variant, out var variant))
        {
            throw new InvalidDataException($"'{Path.Combine(runDirectory, DiscoveryManifest.FileName)}': unknown SAE variant '{manifest.Variant}'.");
        }

        var seeds = new List<ulong> { manifest.Seed };
        var trained = new List<float[]> { Decoder(runSae) };
        for (var i = 1; i <= options.FurtherSeeds; i++)
        {
            var seed = manifest.Seed + (ulong)i;
            var label = string.Create(CultureInfo.InvariantCulture, $"seed {seed}");
            var sae = ml.Transforms.Ard().TrainSparseAutoencoder(new TrainSparseAutoencoderOptions
            {
                Trainer = new SparseAutoencoderTrainerOptions
                {
                    LatentCount = manifest.LatentCount,
                    K = manifest.K,
                    Variant = variant,
                    Steps = manifest.Steps,
                    BatchSize = manifest.BatchSize,
                    Seed = seed,
                    ProgressInterval = Math.Max(1, manifest.Steps / 50),
                },
                Progress = progress is null ? null : new ForwardingProgress<SaeTrainingProgress>(p =>
                    progress.Report(new(DiscoveryStage.TrainSparseAutoencoder, p.Step, p.TotalSteps, label))),
            }).Fit(features);
            seeds.Add(seed);
            trained.Add(Decoder(sae.Autoencoder));
        }

        var untrained = seeds.Select(seed =>
        {
            using var sae = new TopKSparseAutoencoder(runSae.InputDim, runSae.LatentCount, runSae.K);
            sae.InitializeTied(seed);
            return Decoder(sae);
        }).ToList();
        return SaeStability.Compare(seeds, trained, untrained, runSae.InputDim);
    }

    private static float[] Decoder(TopKSparseAutoencoder sae) => sae.DecoderWeight.data<float>().ToArray();

    /// <summary>The run's activations, cached: its shards, or its audio through the model's front (LoadAudio, ExtractActivations).</summary>
    private static IDataView Activations(MLContext ml, DiscoveryManifest manifest, IReadOnlyList<ITransformer> front, IProgress<DiscoveryProgress>? progress)
    {
        IDataView data;
        if (!string.IsNullOrEmpty(manifest.ActivationsDirectory))
        {
            data = ml.Data.LoadFromActivationShards(manifest.ActivationsDirectory);
        }
        else
        {
            var clips = DiscoveryPipeline.FindClips(manifest.AudioDirectory, manifest.MaxClips);
            data = ml.Data.LoadFromEnumerable(clips.Select(c => new ClipInput { Clip = c, Path = Path.Combine(manifest.AudioDirectory, c) }));
            foreach (var transformer in front)
            {
                data = transformer.Transform(data);
            }
        }

        var cached = ml.Data.Cache(data, ActivationShardDataView.ActivationsColumnName);
        var total = (int)(data.GetRowCount() ?? manifest.ClipsFound);
        using var cursor = cached.GetRowCursor([cached.Schema[ActivationShardDataView.ActivationsColumnName]]);
        for (var done = 1; cursor.MoveNext(); done++)
        {
            progress?.Report(new(DiscoveryStage.ExtractActivations, done, total, "reading the run's activations"));
        }

        return cached;
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
