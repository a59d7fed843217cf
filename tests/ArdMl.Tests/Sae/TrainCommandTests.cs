using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Cli.Commands;
using ArdMl.Sae;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Sae;

[Collection(InProcessCliCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ard-sae-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TrainsFromShardsAndWritesSparsifyLayoutAndMetrics()
    {
        string shards = Path.Combine(_root, "shards");
        string output = Path.Combine(_root, "sae");
        var clips = SaeTestData.SparseClips(40, 8, 10, 2, seed: 8);
        using (var writer = ActivationShardWriter.Open(shards, new ActivationShardManifest { Width = 8, DataType = ActivationShardDataType.Float32, Model = "m", Tap = "t", SampleRate = 16000 }))
        {
            for (int i = 0; i < clips.Count; i++)
            {
                writer.Write($"clip{i}", clips[i], clips[i].Length / 8);
            }
        }

        var root = new RootCommand { TrainCommand.Create() };
        int code = root.Parse(["train", "--activations", shards, "--latents", "32", "--k", "3", "--steps", "40", "--batch", "32", "--out", output, "--checkpoint-every", "15"]).Invoke();

        code.Should().Be(0);
        File.Exists(Path.Combine(output, "metrics.json")).Should().BeTrue();
        File.ReadAllText(Path.Combine(output, "metrics.json")).Should().Contain("\"FinalFvu\"");
        using var sae = SparsifyFormat.Load(output);
        sae.InputDim.Should().Be(8);
        sae.LatentCount.Should().Be(32);
        sae.K.Should().Be(3);
        Directory.Exists(Path.Combine(output, "checkpoints", "checkpoint")).Should().BeTrue();

        int bad = root.Parse(["train", "--activations", shards, "--latents", "32", "--k", "32", "--steps", "4", "--out", output, "--fresh"]).Invoke();
        bad.Should().Be(1);
    }

    [Fact]
    public void TrainsFromSaeLensCachedActivations()
    {
        string dataset = Path.Combine(_root, "saelens-cache");
        string output = Path.Combine(_root, "sae-saelens");
        var values = SaeTestData.SparseClips(1, 8, 10, 2, seed: 5, minFrames: 40 * 6, maxFrames: 40 * 6)[0];
        Activations.ActivationShardFormatTests.WriteSaeLensDataset(dataset, "blocks.0.hook_mlp_out", context: 6, d: 8, rows: 40, values, files: 2);

        var root = new RootCommand { TrainCommand.Create() };
        int code = root.Parse(["train", "--activations", dataset, "--latents", "16", "--k", "2", "--steps", "10", "--batch", "32", "--out", output]).Invoke();

        code.Should().Be(0);
        using var sae = SparsifyFormat.Load(output);
        sae.InputDim.Should().Be(8);
    }

    [Fact]
    public void TrainsFromParquetShards()
    {
        string shards = Path.Combine(_root, "parquet");
        string output = Path.Combine(_root, "sae-parquet");
        var clips = SaeTestData.SparseClips(20, 8, 10, 2, seed: 9);
        using (var writer = ActivationShardWriter.Open(shards, new ActivationShardManifest { Width = 8, Model = "m", Tap = "t" }, ActivationShardFormat.Parquet))
        {
            for (int i = 0; i < clips.Count; i++)
            {
                writer.Write($"clip{i}", clips[i], clips[i].Length / 8);
            }
        }

        var root = new RootCommand { TrainCommand.Create() };
        root.Parse(["train", "--activations", shards, "--latents", "16", "--k", "2", "--steps", "10", "--batch", "32", "--out", output]).Invoke().Should().Be(0);
        File.Exists(Path.Combine(output, "metrics.json")).Should().BeTrue();
    }
}
