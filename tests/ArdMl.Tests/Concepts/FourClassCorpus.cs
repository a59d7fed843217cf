namespace ArdMl.Tests.Concepts;

/// <summary>
/// Deterministic per-clip statistics of a synthetic corpus of 4 sound classes over 6 latents: clip i has class i mod 4;
/// latent k (k &lt; 4) fires strongly on class k and weakly on one random other class; latent 4 fires on every clip
/// alike; latent 5 never fires. The 8-d embedding points along the class axis, with noise.
/// </summary>
internal static class FourClassCorpus
{
    public const int Latents = 6;

    public static readonly string[] Classes = ["dog", "rain", "phone", "bird"];

    public static readonly string[] Captions = ["a dog barks", "rain falls on a roof", "a telephone rings", "birds chirp in trees"];

    /// <summary>The statistics of <paramref name="clips"/> clips, drawn in order from one generator seeded with <paramref name="seed"/>.</summary>
    public static IEnumerable<(int Class, float[] Mean, float[] Coverage, float[] Embedding)> Clips(int clips, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < clips; i++)
        {
            var cls = i % 4;
            var mean = new float[Latents];
            var coverage = new float[Latents];
            mean[cls] = 2f + (float)random.NextDouble();
            coverage[cls] = 0.5f + (0.5f * (float)random.NextDouble());
            var other = (cls + 1 + random.Next(3)) % 4;
            mean[other] = 0.1f * (float)random.NextDouble();
            coverage[other] = 0.05f + (0.1f * (float)random.NextDouble());
            mean[4] = 1f;
            coverage[4] = 0.5f + (0.01f * (i % 7));
            var embedding = new float[8];
            embedding[cls] = 1f;
            for (var d = 0; d < 8; d++)
            {
                embedding[d] += 0.3f * (float)random.NextDouble();
            }

            yield return (cls, mean, coverage, embedding);
        }
    }
}
