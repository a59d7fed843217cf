using ArdMl.Demo;
using Onnx;

namespace ArdMl.Tests.Demo;

public sealed class DemoModelTrainerTests : IDisposable
{
    private static readonly DemoModelOptions Small = new() { MelBands = 20, Conv1Channels = 8, Conv2Channels = 8, HiddenChannels = 16 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ardml-demo-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void TrainingTwiceGivesTheSameBytesAndWritesTheModelFolder()
    {
        DemoCorpusGenerator.Write(_root, new DemoCorpusOptions { ClipCount = 30, Seed = 12 });
        var corpus = DemoCorpus.Load(_root);
        var options = new DemoTrainingOptions { Epochs = 2, BatchSize = 8, Model = Small, Seed = 4 };
        var reports = new List<DemoTrainingProgress>();

        var first = DemoModelTrainer.Train(corpus, options, new InlineProgress(reports.Add));
        var second = DemoModelTrainer.Train(corpus, options);
        using var a = first.Model;
        using var b = second.Model;

        a.ToOnnx().Should().Equal(b.ToOnnx(), "CPU training with a fixed seed and thread count is reproducible");
        first.TrainClipCount.Should().Be(24);
        first.Validation.ClipCount.Should().Be(6);
        first.ValidationHistory.Should().HaveCount(2);
        double.IsFinite(first.Train.Loss).Should().BeTrue();
        reports.Should().Contain(r => r.Epoch == 2 && r.Validation != null);
        reports.Select(r => (r.Epoch * 1000) + r.Step).Should().BeInAscendingOrder();

        var files = DemoModelPackage.Write(first, Path.Combine(_root, "model"));
        files.Select(Path.GetFileName).Should().Equal(DemoModelPackage.ModelFile, DemoModelPackage.DescriptionFile, DemoModelPackage.TrainingFile);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(files[0]));
        proto.Graph.Initializer.Single(i => i.Name == "frontend.band_mean").Dims.Should().Equal(1, 20, 1);
        File.ReadAllText(files[2]).Should().Contain("\"validation\"");
    }

    [Fact]
    public void ScoreComputesAccuracyAndF1()
    {
        var logits = new[] { new[] { 3f, -3f, -3f }, new[] { -3f, 2f, 1f }, new[] { -1f, -2f, 4f } };
        var targets = new[] { new[] { 1f, 0f, 0f }, new[] { 0f, 1f, 0f }, new[] { 1f, 0f, 1f } };
        var score = DemoModelTrainer.Score(logits, targets);
        score.TopLabelAccuracy.Should().BeApproximately(1.0, 1e-9);
        score.ExactSetAccuracy.Should().BeApproximately(1 / 3.0, 1e-9);
        // TP 3 (0/0, 1/1, 2/2), FP 1 (1/2), FN 1 (2/0): F1 = 6 / 8.
        score.MicroF1.Should().BeApproximately(0.75, 1e-9);
    }

    private sealed class InlineProgress(Action<DemoTrainingProgress> handler) : IProgress<DemoTrainingProgress>
    {
        public void Report(DemoTrainingProgress value) => handler(value);
    }
}
