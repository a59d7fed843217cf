using ArdMl.Sae;

namespace ArdMl.Tests.Sae;

public sealed class SaeTrainerTests
{
    private static SparseAutoencoderTrainerOptions SmallOptions(string? checkpoints = null) => new()
    {
        LatentCount = 32,
        K = 4,
        Steps = 30,
        BatchSize = 16,
        ShuffleBufferFrames = 48,
        DeadTokenWindow = 64,
        CheckpointDirectory = checkpoints,
        CheckpointInterval = 7,
        ProgressInterval = 1,
        LearningRate = 3e-3,
        Seed = 7,
    };

    private static SparseAutoencoderTrainerOptions WithK(int k)
    {
        var o = SmallOptions();
        o.K = k;
        return o;
    }

    [Fact]
    public void KilledRunResumesToBitIdenticalWeights()
    {
        var clips = SaeTestData.SparseClips(20, 8, 12, 2, seed: 3);
        var reference = new SparseAutoencoderTrainer(SmallOptions()).Train(clips, 8);

        string dir = Path.Combine(Path.GetTempPath(), "ard-sae-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
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
                var killed = () => new SparseAutoencoderTrainer(SmallOptions(dir)).Train(clips, 8, progress, cts.Token);
                killed.Should().Throw<OperationCanceledException>();
            }

            var resumed = new SparseAutoencoderTrainer(SmallOptions(dir)).Train(clips, 8);
            SaeTestData.Weights(resumed.Autoencoder.EncoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.EncoderWeight));
            SaeTestData.Weights(resumed.Autoencoder.EncoderBias).Should().Equal(SaeTestData.Weights(reference.Autoencoder.EncoderBias));
            SaeTestData.Weights(resumed.Autoencoder.DecoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderWeight));
            SaeTestData.Weights(resumed.Autoencoder.DecoderBias).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderBias));
            resumed.Metrics.FinalFvu.Should().Be(reference.Metrics.FinalFvu);
            resumed.Metrics.DeadFraction.Should().Be(reference.Metrics.DeadFraction);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A finished run continued with more steps ends where an uninterrupted run of that length does (the dead-latent
    /// window is explicit, so it is the same in both); fewer steps than the checkpoint holds is a named error.
    /// </summary>
    [Fact]
    public void FinishedRunExtendsToTheWeightsOfALongerRun()
    {
        var clips = SaeTestData.SparseClips(20, 8, 12, 2, seed: 3);
        var longer = SmallOptions();
        longer.Steps = 45;
        var reference = new SparseAutoencoderTrainer(longer).Train(clips, 8);

        string dir = Path.Combine(Path.GetTempPath(), "ard-sae-extend-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = new SparseAutoencoderTrainer(SmallOptions(dir)).Train(clips, 8);
            first.Metrics.FinalFvu.Should().NotBe(reference.Metrics.FinalFvu);

            var extendedOptions = SmallOptions(dir);
            extendedOptions.Steps = 45;
            var extended = new SparseAutoencoderTrainer(extendedOptions).Train(clips, 8);
            SaeTestData.Weights(extended.Autoencoder.EncoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.EncoderWeight));
            SaeTestData.Weights(extended.Autoencoder.DecoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderWeight));
            SaeTestData.Weights(extended.Autoencoder.DecoderBias).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderBias));
            extended.Metrics.FinalFvu.Should().Be(reference.Metrics.FinalFvu);
            extended.Metrics.DeadFraction.Should().Be(reference.Metrics.DeadFraction);

            var shorter = SmallOptions(dir);
            shorter.Steps = 20;
            FluentActions.Invoking(() => new SparseAutoencoderTrainer(shorter).Train(clips, 8))
                .Should().Throw<InvalidOperationException>().WithMessage("*at step 45, beyond this run's 20 steps*");
            var otherWindow = SmallOptions(dir);
            otherWindow.Steps = 50;
            otherWindow.DeadTokenWindow = 128;
            FluentActions.Invoking(() => new SparseAutoencoderTrainer(otherWindow).Train(clips, 8))
                .Should().Throw<InvalidDataException>().WithMessage("*dead-latent window of 64 tokens; this run sets 128*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(300)]
    public void GeometricMedianIgnoresAnOutlierThatMovesTheMean(int copies)
    {
        // Points at c ± e_i (each `copies` times) and one far outlier: the geometric median stays near c.
        int d = 5;
        var center = new[] { 1.0, -2.0, 0.5, 3.0, 0.0 };
        var rows = new List<float>();
        for (int copy = 0; copy < copies; copy++)
        {
            for (int i = 0; i < d; i++)
            {
                foreach (int sign in new[] { 1, -1 })
                {
                    rows.AddRange(center.Select((v, c) => (float)(v + (c == i ? sign : 0))));
                }
            }
        }

        rows.AddRange(center.Select(v => (float)(v + 1000)));
        int n = rows.Count / d;
        var mean = Enumerable.Range(0, d).Select(c => Enumerable.Range(0, n).Average(r => (double)rows[(r * d) + c])).ToArray();
        var median = SparseAutoencoderTrainer.GeometricMedian(rows.ToArray(), n, d, mean);
        for (int c = 0; c < d; c++)
        {
            Math.Abs(mean[c] - center[c]).Should().BeGreaterThan(1000.0 / n / 2);
            median[c].Should().BeApproximately(center[c], 0.2 * 10 / n);
        }
    }

    [Fact]
    public void TrainingLearnsSparseStructureAndReportsMetrics()
    {
        var clips = SaeTestData.SparseClips(200, 16, 24, 2, seed: 5);
        var reports = new List<SaeTrainingProgress>();
        var options = new SparseAutoencoderTrainerOptions
        {
            LatentCount = 64,
            K = 4,
            Steps = 300,
            BatchSize = 64,
            LearningRate = 5e-3,
            ProgressInterval = 50,
            Seed = 1,
        };
        var result = new SparseAutoencoderTrainer(options).Train(clips, 16, new SynchronousProgress<SaeTrainingProgress>(reports.Add));

        result.Metrics.FinalFvu.Should().BeLessThan(0.15);
        reports.First().Fvu.Should().BeGreaterThan(result.Metrics.FinalFvu);
        reports.Should().HaveCount(6);
        reports.Last().TokensSeen.Should().Be(300 * 64);
        result.Metrics.L0.Should().BeInRange(1, 4);
        result.Metrics.DensityHistogramCounts.Sum().Should().Be(64 - result.Metrics.NeverFiredInWindow);
        result.Metrics.DeadFraction.Should().BeInRange(0, 1);
        var decoderNorms = result.Autoencoder.DecoderWeight.detach().norm(1).data<float>().ToArray();
        decoderNorms.Should().OnlyContain(n => Math.Abs(n - 1) < 1e-4);
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        var clips = SaeTestData.SparseClips(5, 8, 4, 1, seed: 1);
        var train = (SparseAutoencoderTrainerOptions o, IEnumerable<float[]> c, int d) => new SparseAutoencoderTrainer(o).Train(c, d);

        FluentActions.Invoking(() => train(WithK(32), clips, 8)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0 < k < m*");
        FluentActions.Invoking(() => train(WithK(0), clips, 8)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => train(SmallOptions(), [new float[7]], 8)).Should().Throw<InvalidDataException>().WithMessage("*Clip 0*width d = 8*");
        FluentActions.Invoking(() => train(SmallOptions(), [], 8)).Should().Throw<InvalidDataException>().WithMessage("*zero frames*");

        var withNaN = clips.Select(c => (float[])c.Clone()).ToList();
        withNaN[2][8 + 3] = float.NaN;
        FluentActions.Invoking(() => train(SmallOptions(), withNaN, 8)).Should().Throw<InvalidDataException>().WithMessage("*Frame 1 of clip 2*NaN*");
        var skipping = SmallOptions();
        skipping.InvalidFrames = InvalidFrameHandling.Skip;
        train(skipping, withNaN, 8).Metrics.SkippedFrames.Should().BeGreaterThan(0);
    }
}
