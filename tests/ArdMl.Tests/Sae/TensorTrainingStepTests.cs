using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

public sealed class TensorTrainingStepTests
{
    /// <summary>
    /// From identical weights and the same batches, the device-generic tensor step and the fused CPU step produce the
    /// same weights (AuxK on, a third of the latents forced dead) and the same figures; both when the tensor step trains
    /// the SAE's parameters in place and when it trains device copies (the CUDA path, here with the CPU as device).
    /// </summary>
    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 5)]
    public void TensorStepMatchesFusedStep(bool trainDeviceCopies, int chunkFrames)
    {
        int d = 16;
        int m = 48;
        int k = 4;
        int batch = 32;
        int auxK = 8;
        int steps = 5;
        var frames = SaeTestData.SparseClips(1, d, 12, 2, seed: 11, minFrames: batch * steps, maxFrames: batch * steps)[0];
        using var fusedSae = new TopKSparseAutoencoder(d, m, k);
        fusedSae.InitializeTied(5);
        using (no_grad())
        {
            using var decoderBias = tensor(Enumerable.Range(0, d).Select(i => 0.05f * i).ToArray());
            using var encoderBias = tensor(Enumerable.Range(0, m).Select(i => 0.02f * (i % 5)).ToArray());
            fusedSae.DecoderBias.copy_(decoderBias);
            fusedSae.EncoderBias.copy_(encoderBias);
        }

        using var tensorSae = new TopKSparseAutoencoder(d, m, k);
        tensorSae.CopyWeightsFrom(fusedSae);
        var initialDecoder = SaeTestData.Weights(fusedSae.DecoderWeight);
        int[] dead = Enumerable.Range(0, m).Where(j => j % 3 == 0).ToArray();
        var adam = new AdamSettings(0.9f, 0.999f, 1e-8f);
        using var fused = new FusedTrainingStep(fusedSae, batch, auxK, 1f / 32, adam);
        // chunkFrames > 0: the sparse products run over chunks of that many frames (the last one partial).
        using var generic = new TensorTrainingStep(tensorSae, batch, auxK, 1f / 32, adam, trainDeviceCopies ? CPU : null)
        {
            GatherBudgetFloats = chunkFrames > 0 ? (long)chunkFrames * k * d : 1L << 25,
        };
        generic.LoadParametersFromModel();

        double auxSeen = 0;
        for (int s = 0; s < steps; s++)
        {
            using var input = tensor(frames.AsSpan(s * batch * d, batch * d).ToArray(), [batch, d]);
            fused.Input.copy_(input);
            generic.Input.copy_(input);
            var a = fused.Run(s + 1, 3e-3f, dead);
            var b = generic.Run(s + 1, 3e-3f, dead);
            b.Fvu.Should().BeApproximately(a.Fvu, 1e-4 * a.Fvu);
            b.AuxFvu.Should().BeApproximately(a.AuxFvu, 1e-4 * Math.Max(a.AuxFvu, 1e-6));
            b.L0.Should().Be(a.L0);
            b.AuxLatents.Should().Be(a.AuxLatents);
            generic.FiredCounts.Should().Equal(fused.FiredCounts);
            auxSeen += a.AuxFvu;
        }

        auxSeen.Should().BeGreaterThan(0, "the dead latents must take part through AuxK");
        generic.StoreParametersToModel();
        SaeTestData.Weights(fusedSae.DecoderWeight).Should().NotEqual(initialDecoder);
        tensorSae.ShouldMatch(fusedSae, 1e-4, "the tensor step must match the fused step");
    }

    [Fact]
    public void TrainerWithTensorStepReducesFvu()
    {
        var clips = SaeTestData.SparseClips(120, 16, 24, 2, seed: 5);
        var reports = new List<SaeTrainingProgress>();
        var options = new SparseAutoencoderTrainerOptions
        {
            LatentCount = 64,
            K = 4,
            Steps = 120,
            BatchSize = 64,
            LearningRate = 5e-3,
            ProgressInterval = 10,
            DeadTokenWindow = 256,
            StepKernel = SaeTrainingStepKernel.Tensor,
            Seed = 1,
        };

        var result = new SparseAutoencoderTrainer(options).Train(clips, 16, new SynchronousProgress<SaeTrainingProgress>(reports.Add));

        reports.First().Fvu.Should().BeGreaterThan(2 * result.Metrics.FinalFvu);
        result.Metrics.FinalFvu.Should().BeLessThan(0.3);
        result.Metrics.L0.Should().BeInRange(1, 4);
        var decoderNorms = result.Autoencoder.DecoderWeight.detach().norm(1).data<float>().ToArray();
        decoderNorms.Should().OnlyContain(n => Math.Abs(n - 1) < 1e-4);
    }

    /// <summary>
    /// Both steps write the same checkpoint layout, so a run started with the fused CPU step can continue with the
    /// tensor step (as on a GPU): it ends within float tolerance of a run that never switched.
    /// </summary>
    [Fact]
    public void FusedCheckpointContinuesWithTheTensorStep()
    {
        var clips = SaeTestData.SparseClips(20, 8, 12, 2, seed: 3);
        var reference = new SparseAutoencoderTrainer(Options(null, 20, SaeTrainingStepKernel.Fused)).Train(clips, 8);
        string dir = Path.Combine(Path.GetTempPath(), "ard-sae-switch-" + Guid.NewGuid().ToString("N"));
        try
        {
            new SparseAutoencoderTrainer(Options(dir, 10, SaeTrainingStepKernel.Fused)).Train(clips, 8).Autoencoder.Dispose();
            var steps = new List<long>();
            var progress = new SynchronousProgress<SaeTrainingProgress>(p => steps.Add(p.Step));
            using var switched = new SparseAutoencoderTrainer(Options(dir, 20, SaeTrainingStepKernel.Tensor)).Train(clips, 8, progress).Autoencoder;
            steps.Should().Equal(Enumerable.Range(11, 10).Select(i => (long)i), "the tensor step continues the fused run's checkpoint");
            switched.ShouldMatch(reference.Autoencoder, 1e-4, "a run that switched steps must stay close to one that did not");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TensorStepRunResumesFromCheckpointToIdenticalWeights()
    {
        var clips = SaeTestData.SparseClips(20, 8, 12, 2, seed: 3);
        var reference = new SparseAutoencoderTrainer(Options(null, 20, SaeTrainingStepKernel.Tensor)).Train(clips, 8);
        string dir = Path.Combine(Path.GetTempPath(), "ard-sae-tensor-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cts = new CancellationTokenSource();
            var progress = new SynchronousProgress<SaeTrainingProgress>(p =>
            {
                if (p.Step == 12)
                {
                    cts.Cancel();
                }
            });
            FluentActions.Invoking(() => new SparseAutoencoderTrainer(Options(dir, 20, SaeTrainingStepKernel.Tensor)).Train(clips, 8, progress, cts.Token))
                .Should().Throw<OperationCanceledException>();

            var resumed = new SparseAutoencoderTrainer(Options(dir, 20, SaeTrainingStepKernel.Tensor)).Train(clips, 8);
            SaeTestData.Weights(resumed.Autoencoder.EncoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.EncoderWeight));
            SaeTestData.Weights(resumed.Autoencoder.EncoderBias).Should().Equal(SaeTestData.Weights(reference.Autoencoder.EncoderBias));
            SaeTestData.Weights(resumed.Autoencoder.DecoderWeight).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderWeight));
            SaeTestData.Weights(resumed.Autoencoder.DecoderBias).Should().Equal(SaeTestData.Weights(reference.Autoencoder.DecoderBias));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static SparseAutoencoderTrainerOptions Options(string? directory, int steps, SaeTrainingStepKernel kernel) => new()
    {
        LatentCount = 32,
        K = 4,
        Steps = steps,
        BatchSize = 16,
        ShuffleBufferFrames = 48,
        DeadTokenWindow = 32,
        CheckpointDirectory = directory,
        CheckpointInterval = 5,
        ProgressInterval = 1,
        LearningRate = 3e-3,
        StepKernel = kernel,
        Seed = 7,
    };
}
