using ArdMl.Sae;
using ArdMl.Steering;

namespace ArdMl.Tests.Steering;

public sealed class TopKSaeSteeringAdapterTests
{
    [Fact]
    public void SteeringTheRealSaeMovesFramesAlongTheDecoderRowOnly()
    {
        using var sae = new TopKSparseAutoencoder(inputDim: 16, latentCount: 64, k: 4);
        sae.InitializeTied(seed: 3);
        using var adapter = new TopKSaeSteeringAdapter(sae);
        var random = new Random(9);
        var x = Enumerable.Range(0, 5 * 16).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var codes = adapter.Encode(x);
        (codes.FrameCount, codes.Width).Should().Be((5, 4));
        int inactive = Enumerable.Range(0, 64).First(j => !codes.Indices.Skip(16).Take(4).Contains(j));

        var intervention = new LatentIntervention(adapter, inactive, new SteeringEdit(SteeringMode.Add, 1.5, SteeringUnits.ActivationNorm, Frames: [4]));
        intervention.DirectionNorm.Should().BeApproximately(1, 1e-5, "tied initialisation gives unit-norm decoder rows");
        var steered = intervention.Apply(x);
        var row = sae.DecoderWeight[inactive].data<float>().ToArray();
        for (int i = 0; i < 16; i++)
        {
            (steered[(4 * 16) + i] - x[(4 * 16) + i]).Should().BeApproximately(1.5f * row[i], 1e-5f);
        }

        steered.AsSpan(0, 4 * 16).ToArray().Should().Equal(x.AsSpan(0, 4 * 16).ToArray());
    }
}
