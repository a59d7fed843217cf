using ArdMl.MlNet;
using ArdMl.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.Sae;

public sealed class SparseAutoencoderEstimatorTests : IDisposable
{
    private const int D = 8;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ard-sae-mlnet-" + Guid.NewGuid().ToString("N"));

    public SparseAutoencoderEstimatorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class ClipRow
    {
        public string Path { get; set; } = "";

        public float[] Activations { get; set; } = [];
    }

    private static IDataView Load(MLContext ml, List<float[]> clips)
    {
        var schema = SchemaDefinition.Create(typeof(ClipRow));
        schema[nameof(ClipRow.Activations)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 0, D);
        return ml.Data.LoadFromEnumerable(clips.Select((c, i) => new ClipRow { Path = $"clip{i}", Activations = c }), schema);
    }

    [Fact]
    public void FitsStreamsEncodesAndSurvivesSaveLoad()
    {
        var clips = SaeTestData.SparseClips(60, D, 10, 2, seed: 12);
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.Message);
            }
        };
        var data = Load(ml, clips);
        var options = new TrainSparseAutoencoderOptions
        {
            OutputCodes = true,
            Trainer = new SparseAutoencoderTrainerOptions { LatentCount = 24, K = 3, Steps = 60, BatchSize = 32, ProgressInterval = 20, LearningRate = 5e-3 },
        };
        var model = ml.Transforms.Ard().TrainSparseAutoencoder(options).Fit(data);

        model.Metrics.Steps.Should().Be(60);
        model.Metrics.FinalFvu.Should().BeInRange(0, 1);
        model.LatentCount.Should().Be(24);
        messages.Should().Contain(m => m.Contains("step 60/60"));

        var output = model.Transform(data);
        output.Schema["MeanActivation"].Type.Should().Be(new VectorDataViewType(NumberDataViewType.Single, 24));
        var means = output.GetColumn<float[]>("MeanActivation").ToList();
        var coverage = output.GetColumn<float[]>("Coverage").ToList();
        var indices = output.GetColumn<int[]>("LatentIndices").ToList();
        using var encoder = new SparseAutoencoderEncoder(model.Autoencoder);
        for (int i = 0; i < clips.Count; i++)
        {
            var expected = encoder.ComputeStatistics(clips[i], includeCodes: true);
            means[i].Should().Equal(expected.MeanActivation);
            coverage[i].Should().Equal(expected.Coverage);
            indices[i].Should().Equal(expected.Codes!.Indices);
        }

        string path = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var reloaded = loaded.Transform(Load(fresh, clips));
        reloaded.GetColumn<float[]>("MeanActivation").Should().BeEquivalentTo(means, o => o.WithStrictOrdering());
        reloaded.GetColumn<float[]>("Coverage").Should().BeEquivalentTo(coverage, o => o.WithStrictOrdering());
        loaded.Should().BeOfType<SparseAutoencoderTransformer>().Subject.Metrics.FinalFvu.Should().Be(model.Metrics.FinalFvu);
    }

    [Fact]
    public void RejectsColumnsWithoutFrameWidth()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new ClipRow { Activations = new float[D] } });
        var estimator = ml.Transforms.Ard().TrainSparseAutoencoder(latentCount: 16, k: 2, steps: 2, batchSize: 4);
        FluentActions.Invoking(() => estimator.Fit(data)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Activations*");
    }
}
