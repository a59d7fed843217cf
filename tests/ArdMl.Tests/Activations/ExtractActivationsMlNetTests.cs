using ArdMl.Activations;
using ArdMl.MlNet;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.Activations;

/// <summary>mlContext.Transforms.Ard().ExtractActivations and the activation-shard IDataView.</summary>
public sealed class ExtractActivationsMlNetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-extract-mlnet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];
    }

    public sealed class PathRow
    {
        public string Path { get; set; } = string.Empty;
    }

    public sealed class ActivationRow
    {
        [VectorType]
        public float[] Activations { get; set; } = [];

        public int FrameCount { get; set; }
    }

    [Theory]
    [InlineData(ActivationModelStorage.Embed)]
    [InlineData(ActivationModelStorage.PathWithChecksum)]
    public void ExtractActivationsMatchesTheEngineAndRoundTripsThroughSaveAndLoad(ActivationModelStorage storage)
    {
        var description = WindowedDescription();
        var ml = new MLContext(seed: 1);
        var rows = Clips().Select(c => new SamplesRow { Samples = c }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var estimator = ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions { ModelDescription = description, Tap = "proj", ModelStorage = storage });
        estimator.Width.Should().Be(3);
        using var transformer = estimator.Fit(data);
        var output = transformer.Transform(data);
        var column = output.Schema["Activations"];
        column.Type.Should().BeOfType<VectorDataViewType>().Which.Dimensions.Should().Equal(0, 3);
        ((VectorDataViewType)column.Type).ItemType.Should().Be(NumberDataViewType.Single);
        output.Schema["FrameCount"].Type.Should().Be(NumberDataViewType.Int32);

        var actual = Read(ml, output);
        using (var extractor = ActivationExtractor.Create(description, ["proj"]))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var (expected, frames, _) = extractor.Extract(rows[i].Samples);
                actual[i].FrameCount.Should().Be(frames);
                actual[i].Activations.Should().Equal(expected);
            }
        }

        var path = Path.Combine(_folder, "extract.zip");
        ml.Model.Save(transformer, data.Schema, path);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out _);
        var loadedExtract = loaded.Should().BeOfType<ExtractActivationsTransformer>().Subject;
        loadedExtract.Tap.Should().Be("proj");
        loadedExtract.ModelStorage.Should().Be(storage);
        Read(fresh, loaded.Transform(fresh.Data.LoadFromEnumerable(rows))).Should().BeEquivalentTo(actual, o => o.WithStrictOrdering());

        if (storage == ActivationModelStorage.PathWithChecksum)
        {
            new FileInfo(path).Length.Should().BeLessThan(File.ReadAllBytes(Path.Combine(_folder, "windowed.onnx")).Length + 4096);
            var model = Path.Combine(_folder, "windowed.onnx");
            var bytes = File.ReadAllBytes(model);
            File.WriteAllBytes(model, [.. bytes, 0]);
            var changed = () => new MLContext().Model.Load(path, out _);
            changed.Should().Throw<Exception>().Where(e => Flatten(e).Contains("SHA-256") && Flatten(e).Contains("windowed.onnx"));
        }
        else
        {
            File.Delete(Path.Combine(_folder, "windowed.onnx"));
            Read(new MLContext(), new MLContext().Model.Load(path, out _).Transform(fresh.Data.LoadFromEnumerable(rows)))
                .Should().BeEquivalentTo(actual, o => o.WithStrictOrdering(), "the embedded model needs no file");
        }
    }

    [Fact]
    public void TheSamplesColumnIsCheckedBeforeFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PathRow { Path = "x.wav" }]);
        var estimator = ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions { ModelDescription = WindowedDescription(), Tap = "proj", InputColumnName = "Path" });
        var fit = () => estimator.Fit(data);
        fit.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Path'*vector of Single*");
        var unknownTap = () => ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions { ModelDescription = WindowedDescription(), Tap = "nope" });
        unknownTap.Should().Throw<UnknownTapException>();
    }

    [Fact]
    public void AShardFolderReadsAsAnIDataViewWithTheSameSchema()
    {
        var shards = Path.Combine(_folder, "shards");
        var clips = Clips();
        using (var extractor = ActivationExtractor.Create(WindowedDescription(), ["proj"]))
        using (var writer = ActivationShardWriter.Open(shards, new ActivationShardManifest { Width = 3, Model = "tiny", Tap = "proj" }))
        {
            for (var i = 0; i < clips.Count; i++)
            {
                var (data, frames, _) = extractor.Extract(clips[i]);
                writer.Write($"clip{i}", data, frames);
            }
        }

        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromActivationShards(shards);
        view.GetRowCount().Should().Be(clips.Count);
        view.Schema["Activations"].Type.Should().BeOfType<VectorDataViewType>().Which.Dimensions.Should().Equal(0, 3);
        view.Schema["FrameCount"].Type.Should().Be(NumberDataViewType.Int32);
        view.GetColumn<string>("ClipId").Should().Equal(clips.Select((_, i) => $"clip{i}"));

        var transformed = Read(ml, ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions { ModelDescription = WindowedDescription(), Tap = "proj" })
            .Fit(ml.Data.LoadFromEnumerable(clips.Select(c => new SamplesRow { Samples = c })))
            .Transform(ml.Data.LoadFromEnumerable(clips.Select(c => new SamplesRow { Samples = c }))));
        Read(ml, view).Should().BeEquivalentTo(transformed, o => o.WithStrictOrdering(), "shards hold what ExtractActivations outputs");
        ml.Data.CreateEnumerable<ActivationRow>(ml.Data.Cache(view), reuseRowObject: false).Should().HaveCount(clips.Count);
    }

    [SkippableFact]
    public void LoadAudioThenExtractActivationsOnRealClipsRoundTrips()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var clips = SharedModelFixture.SpeechClips(3).Concat(SharedModelFixture.NonSpeechClips(2)).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }));
        var pipeline = ml.Transforms.Ard().LoadAudio(new LoadAudioOptions { MaxDurationSeconds = 3 })
            .Append(ml.Transforms.Ard().ExtractActivations(new ExtractActivationsOptions
            {
                ModelDescriptionPath = SharedModelFixture.DescriptionPath("openwakeword.json"),
                ModelSearchRoots = [SharedModelFixture.ModelsRoot!],
                Tap = "conv2d_19",
            }));
        var model = pipeline.Fit(data);
        var expected = Read(ml, model.Transform(data));
        expected.Should().OnlyContain(r => r.FrameCount > 0 && r.Activations.Length == r.FrameCount * 96);

        var path = Path.Combine(_folder, "pipeline.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out _);
        Read(fresh, loaded.Transform(fresh.Data.LoadFromEnumerable(clips.Select(p => new PathRow { Path = p }))))
            .Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    private static List<ActivationRow> Read(MLContext ml, IDataView view) => [.. ml.Data.CreateEnumerable<ActivationRow>(view, reuseRowObject: false)];

    private static List<float[]> Clips() =>
    [
        [.. Enumerable.Range(0, 20).Select(i => (i + 1) / 50f)],
        [.. Enumerable.Range(0, 8).Select(i => -i / 10f)],
        [0.1f, 0.2f],
        [.. Enumerable.Range(0, 33).Select(i => (float)Math.Sin(i))],
    ];

    private ModelDescription WindowedDescription()
    {
        File.WriteAllBytes(Path.Combine(_folder, "windowed.onnx"), TinyOnnxModels.WindowedEncoder());
        const string Json = """
            {
              "formatVersion": 1,
              "name": "tiny-windowed",
              "model": "windowed.onnx",
              "sampleRate": 16000,
              "frontEnd": { "kind": "windows", "input": "audio", "inputShape": [-1, 8], "windowSamples": 8, "tail": "pad" },
              "defaultTaps": ["proj"],
              "tapLayouts": [ { "match": "^(proj|act|frames)$", "regex": true, "rank": 3, "batchAxis": 0, "timeAxis": 1 } ]
            }
            """;
        return ModelDescription.Parse(Json, Path.Combine(_folder, "windowed.json"), _folder);
    }
}
