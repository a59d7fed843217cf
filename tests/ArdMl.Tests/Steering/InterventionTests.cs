using ArdMl.Steering;

namespace ArdMl.Tests.Steering;

public sealed class InterventionTests
{
    private const int D = 6;
    private static readonly TinyTopKAutoencoder Sae = new(D, 12, 3, seed: 4);

    private static float[] Frames(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count * D).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    [Fact]
    public void SetAtOneFrameMovesOnlyThatFrameAlongTheDecoderRow()
    {
        var x = Frames(4, 1);
        var codes = Sae.Encode(x);
        int latent = codes.Indices[(2 * 3) + 0]; // the strongest latent of frame 2
        float current = codes.Values[(2 * 3) + 0];
        var steered = new LatentIntervention(Sae, latent, new SteeringEdit(SteeringMode.Set, 5, Frames: [2])).Apply(x);
        var row = Sae.DecoderRow(latent);
        for (int i = 0; i < D; i++)
        {
            (steered[(2 * D) + i] - x[(2 * D) + i]).Should().BeApproximately((5 - current) * row[i], 1e-5f);
        }

        for (int f = 0; f < 4; f++)
        {
            if (f != 2)
            {
                steered.AsSpan(f * D, D).ToArray().Should().Equal(x.AsSpan(f * D, D).ToArray(), "frames that are not chosen stay bit-identical");
            }
        }
    }

    [Fact]
    public void InactiveLatentCountsAsZeroAndTheSaeErrorIsKept()
    {
        var x = Frames(3, 2);
        var codes = Sae.Encode(x);
        int inactive = Enumerable.Range(0, 12).First(j => !codes.Indices.Take(3).Contains(j));
        var steered = new LatentIntervention(Sae, inactive, new SteeringEdit(SteeringMode.Add, 2)).Apply(x);
        var row = Sae.DecoderRow(inactive);
        var reconstruction = Sae.Decode(codes);
        reconstruction.Should().NotEqual(x, "the tiny SAE reconstructs imperfectly, so the error term matters");
        for (int i = 0; i < D; i++)
        {
            (steered[i] - x[i]).Should().BeApproximately(2 * row[i], 1e-5f);
        }
    }

    [Fact]
    public void ScaleZeroRemovesTheLatentsContribution()
    {
        var x = Frames(2, 3);
        var codes = Sae.Encode(x);
        int latent = codes.Indices[0];
        float z = codes.Values[0];
        var steered = new LatentIntervention(Sae, latent, new SteeringEdit(SteeringMode.Scale, 0, Frames: [0])).Apply(x);
        var row = Sae.DecoderRow(latent);
        for (int i = 0; i < D; i++)
        {
            (steered[i] - x[i]).Should().BeApproximately(-z * row[i], 1e-5f);
        }
    }

    [Fact]
    public void ActivationNormUnitsMoveLatentAndNeuronByTheSameDistance()
    {
        var x = Frames(1, 5);
        var latent = new LatentIntervention(Sae, 7, new SteeringEdit(SteeringMode.Add, 3, SteeringUnits.ActivationNorm));
        latent.DirectionNorm.Should().BeApproximately(Math.Sqrt(Sae.DecoderRow(7).Sum(v => (double)v * v)), 1e-6);
        Distance(latent.Apply(x), x).Should().BeApproximately(3, 1e-4);
        var neuron = new NeuronIntervention(D, 4, latent.InActivationNorm());
        Distance(neuron.Apply(x), x).Should().BeApproximately(3, 1e-6);

        var inCodeValues = new LatentIntervention(Sae, 7, new SteeringEdit(SteeringMode.Add, 3));
        inCodeValues.InActivationNorm().Strength.Should().BeApproximately(3 * latent.DirectionNorm, 1e-9);
        Distance(inCodeValues.Apply(x), x).Should().BeApproximately(3 * latent.DirectionNorm, 1e-4);
    }

    [Fact]
    public void NeuronEditsSetAddAndScaleOneDimension()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        new NeuronIntervention(D, 1, new SteeringEdit(SteeringMode.Set, -1)).Apply(x)
            .Should().Equal(1, -1, 3, 4, 5, 6, 7, -1, 9, 10, 11, 12);
        new NeuronIntervention(D, 5, new SteeringEdit(SteeringMode.Add, 0.5, Frames: [1])).Apply(x)
            .Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5f);
        new NeuronIntervention(D, 0, new SteeringEdit(SteeringMode.Scale, 3)).Apply(x)
            .Should().Equal(3, 2, 3, 4, 5, 6, 21, 8, 9, 10, 11, 12);
        new NeuronIntervention(D, 2, new SteeringEdit(SteeringMode.Set, 0, Frames: [3])).Apply(x, firstFrame: 2)
            .Should().Equal([1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12], "clip frame 3 is the second frame of a pass starting at clip frame 2");
        FluentActions.Invoking(() => new NeuronIntervention(D, 6, new SteeringEdit(SteeringMode.Set, 0)))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void MeanDifferenceDirectionEncodesTheTwoMeansAsZeroAndOne()
    {
        float[] to = [2, 0, 4, 2];       // mean (3, 1)
        float[] from = [0, 0, 0, 2, 0, 1]; // mean (0, 1)
        var direction = SingleDirectionAutoencoder.FromMeanDifference(to, from, 2);
        direction.Direction.Should().Equal(3f, 0f);
        direction.Encode([3f, 1f, 0f, 1f, 1.5f, 7f]).Values.Should().Equal(1f, 0f, 0.5f);
        var steered = new LatentIntervention(direction, 0, new SteeringEdit(SteeringMode.Add, 1)).Apply([0f, 5f]);
        steered.Should().Equal(3f, 5f);
    }

    [Fact]
    public void TapAxisSpecGathersAndScattersChannelsFirst()
    {
        var layout = TapAxisSpec.ChannelsFirst.Resolve([2, 3, 4]);
        (layout.FrameCount, layout.Width).Should().Be((8, 3));
        var tensor = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        var frames = layout.ToFrames(tensor);
        // frame (batch 1, time 2) = frame 6; feature 1 → tensor index 1·12 + 1·4 + 2 = 18.
        frames[(6 * 3) + 1].Should().Be(18);
        layout.ToTensor(frames).Should().Equal(tensor);
        TapAxisSpec.Parse(" features = 1 ; frames = 0, -1 ").Resolve([2, 3, 4]).ToFrames(tensor).Should().Equal(frames);
        FluentActions.Invoking(() => TapAxisSpec.ChannelsLast.Resolve([2, 3, 4, 5]))
            .Should().Throw<ArgumentException>().WithMessage("*leaves axis 3*size is 5, not 1*");
        FluentActions.Invoking(() => TapAxisSpec.Parse("frames=0")).Should().Throw<FormatException>().WithMessage("*names no feature axis*");
    }

    [Fact]
    public void TargetsReduceAndCompare()
    {
        float[] output = [0.2f, 0.9f, 0.4f];
        new ThresholdTarget(0.45).IsReached(output).Should().BeTrue();  // mean 0.5
        new ThresholdTarget(0.55).IsReached(output).Should().BeFalse();
        new ThresholdTarget(0.5, OutputReduction.Min).IsReached(output).Should().BeFalse();
        new ThresholdTarget(0.3, OutputReduction.Element, Above: false, ElementIndex: 0).IsReached(output).Should().BeTrue();
        new ThresholdTarget(0.3, OutputReduction.Max, Above: false).Score(output).Should().BeApproximately(-0.9, 1e-6);
        new ClassTarget(1).IsReached(output).Should().BeTrue();
        new ClassTarget(2).Score(output).Should().BeApproximately(-0.5, 1e-6);
        new ClassTarget(0).IsReached([0.5f, 0.5f]).Should().BeTrue("ties go to the lowest index");
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (p, q) => (double)(p - q) * (p - q)).Sum());
}
