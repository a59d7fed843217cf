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
}
