using System.IO.Compression;
using ArdMl.MlNet;
using ArdMl.Sae;
using ArdMl.Tests.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.MlNet;

/// <summary>ArdModelFile.Load: every kind of file that is not a usable ArdMl model is refused naming the file and what was expected.</summary>
public sealed class ArdModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-model-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(_folder, "absent.zip");
        var load = () => ArdModelFile.Load(new MLContext(), path, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("does not exist").And.Contain("model zip saved by 'ard discover'");
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_named()
    {
        var path = Path.Combine(_folder, "labels.csv");
        File.WriteAllText(path, "clip,text\na.wav,dog\n");
        var load = () => ArdModelFile.Load(new MLContext(), path, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("is not a zip archive")
            .And.NotContain("legacy").And.NotContain("Failed to open");
    }

    [Fact]
    public void A_zip_that_is_not_an_ml_net_model_is_named()
    {
        var path = Path.Combine(_folder, "photos.zip");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("readme.txt").Open());
            writer.Write("not a model");
        }

        var load = () => ArdModelFile.Load(new MLContext(), path, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("not an ML.NET model");
    }

    [Fact]
    public void An_ml_net_model_without_ard_stages_is_named()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new RowToRowTransformerTests.Input { X = [1] }]);
        var path = Path.Combine(_folder, "copy.zip");
        ml.Model.Save(ml.Transforms.CopyColumns("Y", "X").Fit(data), data.Schema, path);

        var load = () => ArdModelFile.Load(new MLContext(), path, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("without ArdMl stages");
    }

    [Fact]
    public void A_model_without_the_stage_a_command_needs_is_named()
    {
        var (path, _) = SaveAutoencoder(width: 8);
        var model = ArdModelFile.Load(new MLContext(), path, out _);

        ArdModelFile.RequireStage<SparseAutoencoderTransformer>(model, path, "SAE").LatentCount.Should().Be(16);
        var concepts = () => ArdModelFile.RequireStage<ConceptTransformer>(model, path, "concept stage (RankConcepts)");
        concepts.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("holds no concept stage (RankConcepts)");
    }

    [Fact]
    public void Activations_of_another_width_than_the_model_was_fitted_on_are_named()
    {
        var (path, _) = SaveAutoencoder(width: 8);
        var ml = new MLContext();
        var model = ArdModelFile.Load(ml, path, out var fitted);
        ArdModelFile.CheckFits(model, path, fitted);

        var other = Activations(ml, width: 5).Schema;
        var check = () => ArdModelFile.CheckFits(model, path, other);

        check.Should().Throw<ModelFileException>().Which.Message.Should().Contain(path).And.Contain("width 5").And.Contain("width 8")
            .And.NotContain("(Parameter").And.NotContain("Actual value");
    }

    [Fact]
    public void A_damaged_zip_is_named()
    {
        var (path, _) = SaveAutoencoder(width: 8);
        var bytes = File.ReadAllBytes(path);
        var damaged = Path.Combine(_folder, "damaged.zip");
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);

        var load = () => ArdModelFile.Load(new MLContext(), damaged, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().Contain(damaged);
    }

    private (string Path, SparseAutoencoderTransformer Model) SaveAutoencoder(int width)
    {
        var ml = new MLContext(seed: 1);
        var data = Activations(ml, width);
        var model = ml.Transforms.Ard().TrainSparseAutoencoder(new TrainSparseAutoencoderOptions
        {
            Trainer = new SparseAutoencoderTrainerOptions { LatentCount = 16, K = 2, Steps = 5, BatchSize = 16 },
        }).Fit(data);
        var path = Path.Combine(_folder, $"sae-{width}.zip");
        ml.Model.Save(model, data.Schema, path);
        return (path, model);
    }

    private static IDataView Activations(MLContext ml, int width)
    {
        var schema = SchemaDefinition.Create(typeof(ClipRow));
        schema[nameof(ClipRow.Activations)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 0, width);
        var clips = SaeTestData.SparseClips(12, width, 4, 2, seed: 3);
        return ml.Data.LoadFromEnumerable(clips.Select((c, i) => new ClipRow { Path = $"clip{i}", Activations = c }), schema);
    }

    private sealed class ClipRow
    {
        public string Path { get; set; } = "";

        public float[] Activations { get; set; } = [];
    }
}
