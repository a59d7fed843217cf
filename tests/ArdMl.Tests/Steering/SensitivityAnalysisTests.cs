using ArdMl.Steering;

namespace ArdMl.Tests.Steering;

public sealed class SensitivityAnalysisTests
{
    [Fact]
    public void ShareCountsOnlyClipsNotAlreadyAtTheTargetAndFindsTheBestNeuron()
    {
        // A model whose output per frame is the frame's first plus half its second coordinate (frames are pairs of samples).
        var model = new PairSumModel();
        var clips = new List<SteeringClip>
        {
            new("a", [0.1f, 0f, 0.2f, 0f]),  // mean 0.15: below 0.5
            new("b", [0.9f, 0f, 0.8f, 0f]),  // mean 0.85: already at target
            new("c", [-0.6f, 0f, -0.6f, 0f]), // mean -0.6: below, far
        };
        var direction = new SingleDirectionAutoencoder([0.6f, 0.8f]); // ‖v‖ = 1
        var latent = new LatentIntervention(direction, 0, new SteeringEdit(SteeringMode.Add, 0.5));
        var analysis = new SteeringSensitivityAnalysis(model, new ThresholdTarget(0.5));
        var comparison = analysis.CompareWithBestNeuron(clips, latent);

        // Latent: adds (0.3, 0.4) → output +0.5: a → 0.65 (moved), c → -0.1 (not moved).
        comparison.Latent.Eligible.Should().Be(2);
        comparison.Latent.AlreadyAtTarget.Should().Be(1);
        comparison.Latent.Moved.Should().Be(1);
        comparison.Latent.Share.Should().Be(0.5);
        comparison.Latent.MeanScoreShift.Should().BeApproximately(0.5, 1e-6);

        // Neurons at equal norm 0.5: neuron 1 (|w| 0.8, tried first) adds 0.25 → a 0.4 (no); neuron 0 adds 0.5 → a 0.65 (yes).
        comparison.Candidates.Select(c => c.Neuron).Should().Equal(1, 0);
        comparison.BestNeuronIndex.Should().Be(0);
        comparison.BestNeuron.Moved.Should().Be(1);
        comparison.Candidates[0].Sensitivity.Moved.Should().Be(0);
        model.Runs.Should().Be(3 + 3 + 3 + 3, "unsteered runs are cached: 3 unsteered + 3 per intervention");
    }

    private sealed class PairSumModel : ISteeringModel
    {
        public int Runs { get; private set; }

        public int TapWidth => 2;

        public string OutputDescription => "x0 + x1/2 per frame";

        public float[] CollectTapFrames(ReadOnlySpan<float> samples) => samples.ToArray();

        public float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention)
        {
            Runs++;
            var frames = intervention is null ? samples.ToArray() : intervention.Apply(samples);
            return [.. Enumerable.Range(0, frames.Length / 2).Select(f => frames[2 * f] + (frames[(2 * f) + 1] / 2))];
        }
    }
}
