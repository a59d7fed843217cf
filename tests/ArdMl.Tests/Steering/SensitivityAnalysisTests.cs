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

    [Fact]
    public void Sweep_measures_latent_label_neuron_and_optimistic_neuron_per_unit_of_edit_norm()
    {
        var model = new PairSumModel();
        var clips = new List<SteeringClip> { new("a", [0.1f, 0f, 0.2f, 0f]), new("c", [-0.6f, 0f, -0.6f, 0f]) };
        var direction = new SingleDirectionAutoencoder([0.6f, 0.8f]);
        var analysis = new SteeringSensitivityAnalysis(model, new ThresholdTarget(0.5));

        // Label-chosen neuron 1 moves the output by half the edit norm; the latent by 0.6 + 0.4 = 1 per unit; neuron 0 by 1.
        var sweep = analysis.SweepStrengths(clips, direction, 0, labelNeuron: 1, SteeringMode.Add, [0.5, 2]);
        sweep.Points.Select(p => p.Strength).Should().Equal(0.5, 2);
        var low = sweep.Points[0];
        low.Latent.MeanEditNorm.Should().BeApproximately(0.5, 1e-6);
        low.LabelNeuron!.MeanEditNorm.Should().BeApproximately(0.5, 1e-6);
        low.Latent.ShiftPerEditNorm.Should().BeApproximately(1.0, 1e-5);
        low.LabelNeuron.ShiftPerEditNorm.Should().BeApproximately(0.5, 1e-5);
        low.LatentOverLabelNeuron.Should().BeApproximately(2.0, 1e-4);
        low.OptimisticNeuronIndex.Should().Be(0);
        low.OptimisticNeuron.ShiftPerEditNorm.Should().BeApproximately(1.0, 1e-5);
        low.Latent.Moved.Should().Be(1, "a reaches 0.65; c only -0.1");
        sweep.Points[1].Latent.Moved.Should().Be(2);
        sweep.FirstWhereLatentMoves(0.5).Should().BeSameAs(low);
        sweep.FirstWhereLatentMoves(1.0).Should().BeSameAs(sweep.Points[1]);
    }

    [Fact]
    public void Label_contrast_ranks_neurons_by_mean_activation_with_minus_without_the_label()
    {
        var ranking = LabelContrastNeuronSelector.Rank(
            [([1f, 0f, 3f, 0f], true), ([0f, 2f], true), ([1f, 1f], false)], width: 2);
        // Neuron 0: with (2 + 0) / 2 = 1, without 1 → 0. Neuron 1: with (0 + 2) / 2 = 1, without 1 → 0; tie → lowest index.
        ranking.Select(n => n.Neuron).Should().Equal(0, 1);
        var skewed = LabelContrastNeuronSelector.Rank([([0f, 4f], true), ([1f, 0f], false)], width: 2);
        skewed[0].Should().Be(new NeuronContrast(1, 4, 0));
        skewed[1].Difference.Should().Be(-1);
        FluentActions.Invoking(() => LabelContrastNeuronSelector.Rank([([1f, 2f], true)], 2))
            .Should().Throw<ArgumentException>().WithMessage("*with and without the label*");
        FluentActions.Invoking(() => LabelContrastNeuronSelector.Rank([([1f, 2f, 3f], true), ([1f, 2f], false)], 2))
            .Should().Throw<ArgumentException>().WithMessage("*frames × 2*3 values*");
    }

    [Fact]
    public void Projection_ranks_latents_by_the_label_s_mean_tap_difference_on_their_unit_decoder_directions()
    {
        var sae = new TinyTopKAutoencoder(d: 3, m: 6, k: 2, seed: 5);
        // The labelled clip lies 2 above the other along (1, 0, 1) / √2: Δx̄ = (√2, 0, √2), ‖Δx̄‖ = 2.
        float a = (float)Math.Sqrt(2);
        IReadOnlyList<(float[] Frames, bool HasLabel)> clips = [([0.5f + a, 1f, -1f + a], true), ([0.5f, 1f, -1f], false)];
        var neurons = LabelContrastNeuronSelector.Rank(clips, width: 3);

        var ranked = LabelContrastLatentSelector.RankByProjection(neurons, sae);

        ranked.Should().HaveCount(6);
        foreach (var latent in ranked)
        {
            var w = sae.DecoderRow(latent.Latent);
            var norm = Math.Sqrt(w.Sum(v => (double)v * v));
            var expected = ((a * w[0]) + (a * w[2])) / norm;
            latent.Projection.Should().BeApproximately(expected, 1e-5, $"latent {latent.Latent}: ŵ·Δx̄");
            latent.Cosine.Should().BeApproximately(expected / 2, 1e-5, "‖Δx̄‖ = 2");
        }

        ranked.Select(l => l.Projection).Should().BeInDescendingOrder();
        // The same rule on the axes is the neuron ranking: e_j·Δx̄ is neuron j's contrast.
        neurons[0].Difference.Should().BeApproximately(a, 1e-6);
        neurons.Single(n => n.Neuron == 1).Difference.Should().Be(0);
        FluentActions.Invoking(() => LabelContrastLatentSelector.RankByProjection(neurons.Take(2).ToList(), sae))
            .Should().Throw<ArgumentException>().WithMessage("*all 3 tap dimensions*");
    }

    [Fact]
    public void Trial_ranks_candidates_by_how_far_they_move_the_target_per_unit_of_edit_norm_on_the_trial_clips()
    {
        var model = new PairSumModel();
        var clips = new List<SteeringClip> { new("a", [0.1f, 0f, 0.2f, 0f]), new("c", [-0.6f, 0f, -0.6f, 0f]) };
        var analysis = new SteeringSensitivityAnalysis(model, new ThresholdTarget(0.5));

        // The output is x0 + x1/2 per frame: neuron 0 moves it 1 per unit of edit norm, neuron 1 by 0.5. The rule put 1 first.
        var neurons = SteeringTrial.RankNeurons(analysis, clips, width: 2, candidates: [1, 0], SteeringMode.Add, [0.5, 2]);
        neurons.Select(n => n.Unit).Should().Equal(0, 1);
        neurons.Select(n => n.RuleRank).Should().Equal(1, 0);
        neurons[0].MeanShiftPerEditNorm.Should().BeApproximately(1.0, 1e-5);
        neurons[1].MeanShiftPerEditNorm.Should().BeApproximately(0.5, 1e-5);
        neurons[0].PerStrength.Select(s => s.MeanEditNorm).Should().Equal([0.5, 2], (x, y) => Math.Abs(x - y) < 1e-5);

        // A latent moves it (w0 + w1/2)/‖w‖ per unit along its unit decoder direction.
        var sae = new TinyTopKAutoencoder(d: 2, m: 5, k: 1, seed: 11);
        var latents = SteeringTrial.RankLatents(analysis, clips, sae, [0, 1, 2, 3, 4], SteeringMode.Add, [1, 3]);
        double Response(int latent)
        {
            var w = sae.DecoderRow(latent);
            return (w[0] + (w[1] / 2.0)) / Math.Sqrt((w[0] * (double)w[0]) + (w[1] * (double)w[1]));
        }

        latents.Select(l => l.Unit).Should().Equal(Enumerable.Range(0, 5).OrderByDescending(Response));
        foreach (var latent in latents)
        {
            latent.MeanShiftPerEditNorm.Should().BeApproximately(Response(latent.Unit), 1e-4, $"latent {latent.Unit}");
        }

        SteeringTrial.RankNeurons(analysis, clips, 2, [1, 1], SteeringMode.Add, [1]).Select(n => n.RuleRank).Should().Equal([0, 1], "ties keep the rule's order");
        FluentActions.Invoking(() => SteeringTrial.RankNeurons(analysis, clips, 2, [], SteeringMode.Add, [1]))
            .Should().Throw<ArgumentException>().WithMessage("*at least one candidate*");
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
