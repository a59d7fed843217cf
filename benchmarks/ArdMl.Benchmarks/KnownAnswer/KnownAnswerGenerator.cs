using System.Globalization;

namespace ArdMl.Benchmarks.KnownAnswer;

/// <summary>
/// Generates activations whose concepts are known (<see cref="KnownAnswerOptions"/>): deterministic for a seed on every
/// platform (xoshiro256**, <see cref="DeterministicRandom"/>), so the same seed gives the same shard bytes.
/// </summary>
public static class KnownAnswerGenerator
{
    /// <summary>Generates the concept directions and every clip in memory.</summary>
    /// <param name="options">What to plant; null = the defaults.</param>
    public static KnownAnswerCorpus Generate(KnownAnswerOptions? options = null)
    {
        options ??= new KnownAnswerOptions();
        options.Validate();
        var random = new DeterministicRandom(options.Seed);
        var directions = new float[options.ConceptCount][];
        for (int i = 0; i < directions.Length; i++)
        {
            directions[i] = RandomUnitVector(random, options.Width);
        }

        var clips = new KnownAnswerClip[options.ClipCount];
        var order = Enumerable.Range(0, options.ConceptCount).ToArray();
        for (int i = 0; i < clips.Length; i++)
        {
            clips[i] = GenerateClip(random, options, directions, order, string.Create(CultureInfo.InvariantCulture, $"clip-{i:D5}"));
        }

        return new KnownAnswerCorpus(options, directions, clips);
    }

    /// <summary>Generates a corpus and writes it into <paramref name="folder"/> (see <see cref="KnownAnswerCorpus.Write"/>).</summary>
    /// <param name="folder">The folder to fill.</param>
    /// <param name="options">What to plant; null = the defaults.</param>
    public static KnownAnswerCorpus Write(string folder, KnownAnswerOptions? options = null)
    {
        var corpus = Generate(options);
        corpus.Write(folder);
        return corpus;
    }

    private static KnownAnswerClip GenerateClip(DeterministicRandom random, KnownAnswerOptions options, float[][] directions, int[] order, string id)
    {
        int frames = options.MinFrames + random.NextInt(options.MaxFrames - options.MinFrames + 1);
        int labels = options.MinLabelsPerClip + random.NextInt(options.MaxLabelsPerClip - options.MinLabelsPerClip + 1);
        int brief = random.NextInt(options.MaxBriefEventsPerClip + 1);
        int faint = random.NextInt(options.MaxFaintConceptsPerClip + 1);

        // Distinct concepts for the three roles: a partial Fisher–Yates shuffle of the concept indices.
        int distinct = labels + brief + faint;
        for (int i = 0; i < distinct; i++)
        {
            int j = i + random.NextInt(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var planted = new List<PlantedConcept>(distinct);
        for (int i = 0; i < distinct; i++)
        {
            var role = i < labels ? PlantedRole.Sustained : i < labels + brief ? PlantedRole.BriefLoud : PlantedRole.FaintBed;
            planted.Add(new PlantedConcept(order[i], role, PresentFrames(random, options, role, frames)));
        }

        int d = options.Width;
        var values = new float[frames * d];
        foreach (var concept in planted)
        {
            var magnitude = concept.Role switch
            {
                PlantedRole.Sustained => options.SustainedMagnitude,
                PlantedRole.BriefLoud => options.BriefMagnitude,
                _ => options.FaintMagnitude,
            };
            var direction = directions[concept.Concept];
            foreach (var frame in concept.Frames)
            {
                var scale = (float)Math.Max(0, magnitude * (1 + (options.MagnitudeJitter * random.NextGaussian())));
                var row = values.AsSpan(frame * d, d);
                for (int u = 0; u < d; u++)
                {
                    row[u] += scale * direction[u];
                }
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] += (float)(options.NoiseStandardDeviation * random.NextGaussian());
        }

        planted.Sort((a, b) => a.Role != b.Role ? a.Role.CompareTo(b.Role) : a.Concept.CompareTo(b.Concept));
        return new KnownAnswerClip(id, frames, values, planted);
    }

    private static int[] PresentFrames(DeterministicRandom random, KnownAnswerOptions options, PlantedRole role, int frames)
    {
        if (role == PlantedRole.BriefLoud)
        {
            int length = 1 + random.NextInt(options.MaxBriefFrames);
            int start = random.NextInt(frames - length + 1);
            return [.. Enumerable.Range(start, length)];
        }

        var share = role == PlantedRole.Sustained ? options.SustainedFrameShare : options.FaintFrameShare;
        var present = new List<int>(frames);
        for (int t = 0; t < frames; t++)
        {
            if (random.NextDouble() < share)
            {
                present.Add(t);
            }
        }

        if (present.Count == 0)
        {
            present.Add(random.NextInt(frames)); // a planted concept is present at least once
        }

        return [.. present];
    }

    private static float[] RandomUnitVector(DeterministicRandom random, int width)
    {
        var vector = new double[width];
        double norm;
        do
        {
            for (int u = 0; u < width; u++)
            {
                vector[u] = random.NextGaussian();
            }

            norm = Math.Sqrt(vector.Sum(v => v * v));
        }
        while (norm < 1e-6);
        return [.. vector.Select(v => (float)(v / norm))];
    }
}
