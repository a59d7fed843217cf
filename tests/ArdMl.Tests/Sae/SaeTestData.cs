using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

/// <summary>Deterministic synthetic activations: sparse combinations of hidden unit directions plus noise.</summary>
internal static class SaeTestData
{
    public static List<float[]> SparseClips(int clips, int d, int features, int activePerFrame, int seed, int minFrames = 3, int maxFrames = 9)
    {
        var random = new Random(seed);
        var directions = new float[features, d];
        for (int f = 0; f < features; f++)
        {
            for (int c = 0; c < d; c++)
            {
                directions[f, c] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        var result = new List<float[]>();
        for (int i = 0; i < clips; i++)
        {
            int frames = random.Next(minFrames, maxFrames + 1);
            var clip = new float[frames * d];
            for (int t = 0; t < frames; t++)
            {
                for (int a = 0; a < activePerFrame; a++)
                {
                    int f = random.Next(features);
                    float w = (float)(random.NextDouble() * 2);
                    for (int c = 0; c < d; c++)
                    {
                        clip[(t * d) + c] += w * directions[f, c];
                    }
                }

                for (int c = 0; c < d; c++)
                {
                    clip[(t * d) + c] += (float)(0.01 * ((random.NextDouble() * 2) - 1)) + 0.5f;
                }
            }

            result.Add(clip);
        }

        return result;
    }

    public static float[] Weights(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    /// <summary>
    /// Asserts that every parameter of <paramref name="actual"/> is within <paramref name="relativeTolerance"/> of
    /// <paramref name="expected"/>'s, relative to that parameter's largest magnitude.
    /// </summary>
    public static void ShouldMatch(this TopKSparseAutoencoder actual, TopKSparseAutoencoder expected, double relativeTolerance, string because)
    {
        foreach (var (name, x, y) in new[]
        {
            ("encoder.weight", expected.EncoderWeight, actual.EncoderWeight),
            ("encoder.bias", expected.EncoderBias, actual.EncoderBias),
            ("W_dec", expected.DecoderWeight, actual.DecoderWeight),
            ("b_dec", expected.DecoderBias, actual.DecoderBias),
        })
        {
            var want = Weights(x);
            var got = Weights(y);
            double scale = Math.Max(want.Max(v => Math.Abs(v)), 1e-6);
            double worst = want.Zip(got, (e, g) => (double)Math.Abs(e - g)).Max();
            (worst / scale).Should().BeLessThan(relativeTolerance, $"{name}: {because}");
        }
    }
}
