using System.Globalization;

namespace ArdMl.Evaluation;

/// <summary>Options of the SAE stability check (<see cref="Pipeline.SaeSeedStability"/>).</summary>
public sealed record SaeStabilityOptions
{
    /// <summary>Further seeds to train besides the run's own SAE (run seed + 1, + 2, …). Default 2.</summary>
    public int FurtherSeeds { get; init; } = 2;

    internal void Validate()
    {
        if (FurtherSeeds < 1 || FurtherSeeds > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(FurtherSeeds), FurtherSeeds, "Stability needs 1 to 16 further seeds.");
        }
    }
}

/// <summary>How alike the decoders of SAEs trained with different seeds are, against untrained ones.</summary>
/// <param name="Seeds">The seeds, the run's first.</param>
/// <param name="TrainedSimilarity">Mean over pairs of trained SAEs of <see cref="SaeStability.MatchedSimilarity"/>.</param>
/// <param name="UntrainedSimilarity">The same over pairs of randomly initialised, untrained SAEs of the same seeds.</param>
/// <param name="TrainedPairs">Per pair of trained SAEs, in pair order (0-1, 0-2, …, 1-2, …).</param>
/// <param name="UntrainedPairs">Per pair of untrained SAEs, in the same order.</param>
public sealed record SaeStabilityResult(
    IReadOnlyList<ulong> Seeds, double TrainedSimilarity, double UntrainedSimilarity, IReadOnlyList<double> TrainedPairs, IReadOnlyList<double> UntrainedPairs)
{
    /// <summary>One line for the console.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"SAE stability over seeds {string.Join(", ", Seeds)}: matched decoder |cos| {TrainedSimilarity:F3} trained vs {UntrainedSimilarity:F3} untrained (random init)");
}

/// <summary>Matches SAE decoder directions between two SAEs of the same shape.</summary>
public static class SaeStability
{
    /// <summary>
    /// For every latent of each SAE the largest |cosine| between its decoder row and any decoder row of the other,
    /// averaged over latents and over both directions (A to B and B to A). 1: the same dictionary up to order and sign.
    /// </summary>
    /// <param name="first">m × d decoder rows, row-major.</param>
    /// <param name="second">m × d decoder rows, row-major.</param>
    /// <param name="width">d.</param>
    public static double MatchedSimilarity(ReadOnlySpan<float> first, ReadOnlySpan<float> second, int width)
    {
        if (width < 1 || first.Length % width != 0 || second.Length % width != 0 || first.Length == 0 || second.Length == 0)
        {
            throw new ArgumentException($"Decoders of {first.Length} and {second.Length} values are not whole rows of width {width}.", nameof(width));
        }

        var a = Normalized(first, width);
        var b = Normalized(second, width);
        int m = a.Length / width, n = b.Length / width;
        var bestA = new double[m];
        var bestB = new double[n];
        for (var i = 0; i < m; i++)
        {
            var row = a.AsSpan(i * width, width);
            for (var j = 0; j < n; j++)
            {
                double dot = 0;
                var other = b.AsSpan(j * width, width);
                for (var u = 0; u < width; u++)
                {
                    dot += row[u] * other[u];
                }

                dot = Math.Abs(dot);
                bestA[i] = Math.Max(bestA[i], dot);
                bestB[j] = Math.Max(bestB[j], dot);
            }
        }

        return (bestA.Average() + bestB.Average()) / 2;
    }

    /// <summary>Compares every pair of trained decoders and every pair of untrained ones.</summary>
    /// <param name="seeds">The seeds, one per decoder.</param>
    /// <param name="trained">Trained decoders (m × d each).</param>
    /// <param name="untrained">Untrained decoders of the same seeds.</param>
    /// <param name="width">d.</param>
    public static SaeStabilityResult Compare(IReadOnlyList<ulong> seeds, IReadOnlyList<float[]> trained, IReadOnlyList<float[]> untrained, int width)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(untrained);
        if (trained.Count < 2 || trained.Count != untrained.Count || trained.Count != seeds.Count)
        {
            throw new ArgumentException($"Stability needs at least 2 trained decoders and as many untrained ones and seeds; got {trained.Count}, {untrained.Count} and {seeds.Count}.");
        }

        List<double> Pairs(IReadOnlyList<float[]> decoders)
        {
            var pairs = new List<double>();
            for (var i = 0; i < decoders.Count; i++)
            {
                for (var j = i + 1; j < decoders.Count; j++)
                {
                    pairs.Add(MatchedSimilarity(decoders[i], decoders[j], width));
                }
            }

            return pairs;
        }

        var trainedPairs = Pairs(trained);
        var untrainedPairs = Pairs(untrained);
        return new SaeStabilityResult(seeds, trainedPairs.Average(), untrainedPairs.Average(), trainedPairs, untrainedPairs);
    }

    private static float[] Normalized(ReadOnlySpan<float> rows, int width)
    {
        var result = rows.ToArray();
        for (var start = 0; start < result.Length; start += width)
        {
            var row = result.AsSpan(start, width);
            double norm = 0;
            foreach (var v in row)
            {
                norm += (double)v * v;
            }

            var scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
            for (var u = 0; u < width; u++)
            {
                row[u] *= scale;
            }
        }

        return result;
    }
}
