using ArdMl.MlNet;
using ArdMl.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

public sealed class SaeVariantTests : IDisposable
{
    private const int Width = 8;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ard-sae-variant-" + Guid.NewGuid().ToString("N"));

    public SaeVariantTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static List<float[]> Clips(int seed = 3) => SaeTestData.SparseClips(40, Width, 12, 2, seed);

    private static SparseAutoencoderTrainerOptions Options(SaeVariant variant, int steps = 30, string? checkpoints = null) => new()
    {
        Variant = variant,
        LatentCount = 32,
        K = 4,
        Steps = steps,
        BatchSize = 16,
        ShuffleBufferFrames = 48,
        DeadTokenWindow = 64,
        CheckpointDirectory = checkpoints,
        CheckpointInterval = 7,
        ProgressInterval = 1,
        LearningRate = 3e-3,
        Seed = 7,
    };

    [Fact]
    public void BatchTopKKeepsKTimesBatchNonzerosPerTrainingBatchWithVaryingCountsPerFrame()
    {
        const int batch = 16;
        const int k = 4;
        using var sae = new TopKSparseAutoencoder(Width, 32, k) { Variant = SaeVariant.BatchTopK };
        sae.InitializeTied(5);
        using var step = new BatchTopKTrainingStep(sae, batch, [32], 0.01f, auxK: 0, auxCoefficient: 0, new AdamSettings(0.9f, 0.999f, 1e-8f));
        var frames = Clips().SelectMany(c => c).Take(batch * Width).ToArray();

        // Frames of very different norms: a per-frame Top-K would give each k latents, BatchTopK gives the loud ones more.
        for (int r = 0; r < batch; r++)
        {
            for (int c = 0; c < Width; c++)
            {
                frames[(r * Width) + c] *= r < batch / 2 ? 4f : 0.25f;
            }
        }

        var perFrame = new List<int>();
        for (int s = 1; s <= 5; s++)
        {
            using (no_grad())
            using (var input = tensor(frames, [batch, Width]))
            using (var pre = sae.PreActivations(input))
            {
                float cut = pre.reshape(-1).topk(k * batch).values.min().item<float>();
                perFrame = Enumerable.Range(0, batch).Select(r => (int)pre[r].ge(cut).sum().item<long>()).ToList();
            }

            using (var input = tensor(frames, [batch, Width]))
            {
                step.Input.copy_(input);
            }

            var figures = step.Run(s, 1e-3f, []);

            step.FiredCounts.Sum().Should().Be(k * batch, "the k·B largest pre-activations of the batch are kept (all positive here)");
            figures.L0.Should().Be(k);
            sae.Threshold.Should().BeGreaterThan(0f);
        }

        perFrame.Sum().Should().Be(k * batch);
        perFrame.Take(batch / 2).Average().Should().BeGreaterThan(k, "loud frames carry more than k latents");
        perFrame.Skip(batch / 2).Average().Should().BeLessThan(k);
    }

    [Theory]
    [InlineData(SaeVariant.BatchTopK)]
    [InlineData(SaeVariant.MatryoshkaBatchTopK)]
    public void ThresholdEncodingGivesAMeanL0NearKOnTrainingData(SaeVariant variant)
    {
        var clips = Clips();
        var result = new SparseAutoencoderTrainer(Options(variant, steps: 400)).Train(clips, Width);
        using var sae = result.Autoencoder;
        sae.Variant.Should().Be(variant);
        sae.Threshold.Should().NotBeNull();
        result.Metrics.L0.Should().BeApproximately(4, 1e-9, "training keeps k·B values per batch");

        using var encoder = new SparseAutoencoderEncoder(sae);
        var codes = encoder.Encode(clips.SelectMany(c => c).ToArray());
        double meanL0 = codes.Values.Count(v => v > 0) / (double)codes.FrameCount;
        meanL0.Should().BeInRange(4 * 0.7, 4 * 1.3);
    }

    [Fact]
    public void EncoderKeepsExactlyTheLatentsAboveTheThreshold()
    {
        var result = new SparseAutoencoderTrainer(Options(SaeVariant.BatchTopK, steps: 60)).Train(Clips(), Width);
        using var sae = result.Autoencoder;
        float theta = sae.Threshold!.Value;
        var frames = Clips(seed: 9).SelectMany(c => c).ToArray();
        int frameCount = frames.Length / Width;
        using var encoder = new SparseAutoencoderEncoder(sae);
        var stats = encoder.ComputeStatistics(frames, includeCodes: true);
        stats.Codes!.K.Should().Be(16, "codes have min(m, 4k) slots with a threshold");

        using var pre = sae.PreActivations(tensor(frames, [frameCount, Width]));
        var dense = pre.data<float>().ToArray();
        for (int j = 0; j < 32; j++)
        {
            int above = Enumerable.Range(0, frameCount).Count(r => dense[(r * 32) + j] > theta);
            stats.Coverage[j].Should().BeApproximately(above / (float)frameCount, 1e-6f, $"latent {j} fires where pre > θ = {theta}");
        }
    }

    [Fact]
    public void MatryoshkaFirstPrefixAloneReconstructsBetterThanTheSamePrefixOfBatchTopK()
    {
        var clips = SaeTestData.SparseClips(60, 16, 24, 3, seed: 5);
        SparseAutoencoderTrainerOptions Budget(SaeVariant variant)
        {
            var o = Options(variant, steps: 300);
            o.LatentCount = 64;
            o.BatchSize = 32;
            o.ShuffleBufferFrames = 96;
            o.DeadTokenWindow = 256;
            return o;
        }

        var matryoshkaOptions = Budget(SaeVariant.MatryoshkaBatchTopK);
        matryoshkaOptions.EffectivePrefixSizes.Should().Equal(4, 8, 16, 32, 64);
        using var matryoshka = new SparseAutoencoderTrainer(matryoshkaOptions).Train(clips, 16).Autoencoder;
        using var batchTopK = new SparseAutoencoderTrainer(Budget(SaeVariant.BatchTopK)).Train(clips, 16).Autoencoder;
        matryoshka.PrefixSizes.Should().Equal(4, 8, 16, 32, 64);

        var frames = clips.SelectMany(c => c).ToArray();
        double matryoshkaFvu = PrefixFvu(matryoshka, frames, 16, 4);
        double batchTopKFvu = PrefixFvu(batchTopK, frames, 16, 4);
        matryoshkaFvu.Should().BeLessThan(batchTopKFvu, "the first prefix is trained to reconstruct alone");
        PrefixFvu(matryoshka, frames, 16, 64).Should().BeLessThan(matryoshkaFvu);
    }

    /// <summary>FVU of the reconstruction from the threshold code's latents below <paramref name="prefix"/> only.</summary>
    private static double PrefixFvu(TopKSparseAutoencoder sae, float[] frames, int d, int prefix)
    {
        using var encoder = new SparseAutoencoderEncoder(sae);
        var codes = encoder.Encode(frames);
        var values = codes.Values.Select((v, i) => codes.Indices[i] < prefix ? v : 0f).ToArray();
        using var scope = NewDisposeScope();
        var x = tensor(frames, [codes.FrameCount, d]);
        var reconstruction = sae.Decode(tensor(values, [codes.FrameCount, codes.K]), tensor(codes.Indices, [codes.FrameCount, codes.K]));
        var error = (reconstruction - x).square().sum().item<float>();
        var variance = (x - x.mean([0], keepdim: true)).square().sum().item<float>();
        return error / variance;
    }

    [Theory]
    [InlineData(SaeVariant.BatchTopK)]
    [InlineData(SaeVariant.MatryoshkaBatchTopK)]
    public void SaeLensLayoutRoundTripsToIdenticalEncodings(SaeVariant variant)
    {
        var result = new SparseAutoencoderTrainer(Options(variant)).Train(Clips(), Width);
        using var sae = result.Autoencoder;
        SaeLensFormat.Save(sae, _dir);
        using var loaded = SaeLensFormat.Load(_dir);

        var tensors = SafeTensorsFile.Read(Path.Combine(_dir, "sae_weights.safetensors"));
        tensors.Keys.Should().BeEquivalentTo("W_enc", "b_enc", "W_dec", "b_dec", "threshold");
        tensors["W_enc"].Shape.Should().Equal(Width, 32);
        tensors["W_dec"].Shape.Should().Equal(32, Width);
        tensors["threshold"].ToSingles().Should().AllBeEquivalentTo(sae.Threshold!.Value);
        File.ReadAllText(Path.Combine(_dir, "cfg.json")).Should().Contain("\"architecture\": \"jumprelu\"").And.Contain("\"d_sae\": 32");

        loaded.Variant.Should().Be(variant);
        loaded.Threshold.Should().Be(sae.Threshold);
        loaded.PrefixSizes.Should().Equal(sae.PrefixSizes);
        loaded.K.Should().Be(4);
        foreach (var (a, b) in sae.parameters().Zip(loaded.parameters()))
        {
            SaeTestData.Weights(b).Should().Equal(SaeTestData.Weights(a));
        }

        var frames = Clips(seed: 11).SelectMany(c => c).ToArray();
        using var e1 = new SparseAutoencoderEncoder(sae);
        using var e2 = new SparseAutoencoderEncoder(loaded);
        var want = e1.Encode(frames);
        var got = e2.Encode(frames);
        got.Values.Should().Equal(want.Values);
        got.Indices.Should().Equal(want.Indices);

        var sparsify = () => SparsifyFormat.Save(sae, Path.Combine(_dir, "sparsify"));
        sparsify.Should().Throw<NotSupportedException>().WithMessage("*SaeLensFormat*");
    }

    [Theory]
    [InlineData(SaeVariant.BatchTopK)]
    [InlineData(SaeVariant.MatryoshkaBatchTopK)]
    public void KilledRunResumesToTheWeightsAndThresholdOfAnUninterruptedRun(SaeVariant variant)
    {
        var clips = Clips();
        var reference = new SparseAutoencoderTrainer(Options(variant)).Train(clips, Width);
        string checkpoints = Path.Combine(_dir, "checkpoints");
        foreach (int killAfter in new[] { 3, 17 })
        {
            using var cts = new CancellationTokenSource();
            var progress = new SynchronousProgress<SaeTrainingProgress>(p =>
            {
                if (p.Step == killAfter)
                {
                    cts.Cancel();
                }
            });
            var killed = () => new SparseAutoencoderTrainer(Options(variant, checkpoints: checkpoints)).Train(clips, Width, progress, cts.Token);
            killed.Should().Throw<OperationCanceledException>();
        }

        var resumed = new SparseAutoencoderTrainer(Options(variant, checkpoints: checkpoints)).Train(clips, Width);
        foreach (var (a, b) in reference.Autoencoder.parameters().Zip(resumed.Autoencoder.parameters()))
        {
            SaeTestData.Weights(b).Should().Equal(SaeTestData.Weights(a));
        }

        resumed.Autoencoder.Threshold.Should().Be(reference.Autoencoder.Threshold);
        resumed.Metrics.FinalFvu.Should().Be(reference.Metrics.FinalFvu);

        // A Top-K run cannot pick up the variant's checkpoint.
        var topK = () => new SparseAutoencoderTrainer(Options(SaeVariant.TopK, checkpoints: checkpoints)).Train(clips, Width);
        topK.Should().Throw<InvalidDataException>();
    }

    private sealed class ClipRow
    {
        public float[] Activations { get; set; } = [];
    }

    [Fact]
    public void TransformerEncodesWithTheThresholdAndKeepsItThroughSaveLoad()
    {
        var clips = Clips();
        var ml = new MLContext(seed: 1);
        IDataView Rows(MLContext context)
        {
            var schema = SchemaDefinition.Create(typeof(ClipRow));
            schema[nameof(ClipRow.Activations)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 0, Width);
            return context.Data.LoadFromEnumerable(clips.Select(c => new ClipRow { Activations = c }), schema);
        }

        var data = Rows(ml);
        var model = ml.Transforms.Ard().TrainSparseAutoencoder(new TrainSparseAutoencoderOptions
        {
            OutputCodes = true,
            Trainer = Options(SaeVariant.MatryoshkaBatchTopK, steps: 60),
        }).Fit(data);
        model.Autoencoder.Threshold.Should().BeGreaterThan(0f);

        var coverage = model.Transform(data).GetColumn<float[]>("Coverage").ToList();
        var values = model.Transform(data).GetColumn<float[]>("LatentValues").ToList();
        using var encoder = new SparseAutoencoderEncoder(model.Autoencoder);
        for (int i = 0; i < clips.Count; i++)
        {
            var expected = encoder.ComputeStatistics(clips[i], includeCodes: true);
            coverage[i].Should().Equal(expected.Coverage);
            values[i].Should().Equal(expected.Codes!.Values);
            values[i].Length.Should().Be(clips[i].Length / Width * 16);
        }

        string path = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _).Should().BeOfType<SparseAutoencoderTransformer>().Subject;
        loaded.Autoencoder.Threshold.Should().Be(model.Autoencoder.Threshold);
        loaded.Autoencoder.Variant.Should().Be(SaeVariant.MatryoshkaBatchTopK);
        loaded.Autoencoder.PrefixSizes.Should().Equal(2, 4, 8, 16, 32);
        loaded.Transform(Rows(fresh)).GetColumn<float[]>("Coverage").Should().BeEquivalentTo(coverage, o => o.WithStrictOrdering());
    }

    [Fact]
    public void MatryoshkaPrefixSizesAreValidated()
    {
        var options = Options(SaeVariant.MatryoshkaBatchTopK);
        options.MatryoshkaPrefixSizes = [8, 4, 32];
        var train = () => new SparseAutoencoderTrainer(options).Train(Clips(), Width);
        train.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(options.MatryoshkaPrefixSizes));
    }
}
