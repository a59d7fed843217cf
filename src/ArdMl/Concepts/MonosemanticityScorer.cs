namespace ArdMl.Concepts;

/// <summary>
/// Scores how monosemantic each latent is from the embeddings of its H and L clips (select step):
/// m = (E_H − E_L) / σ_pooled, where E_S is the mean cosine similarity over the |S|(|S|−1)/2 pairs of S,
/// s_S² the sample variance (n − 1 denominator; 0 for a single pair) of those pairwise similarities, and
/// σ_pooled = √((s_H² + s_L²) / 2), floored at <see cref="MonosemanticityOptions.MinimumPooledStandardDeviation"/>.
/// A set with fewer than two clips has no pairs: the score is then undefined (NaN) and the latent is not selectable.
/// </summary>
public static class MonosemanticityScorer
{
    /// <summary>Scores every latent of <paramref name="ranking"/> with the embeddings of <paramref name="embeddings"/>.</summary>
    public static IReadOnlyList<MonosemanticityScore> Score(
        RankingResult ranking,
        ClipEmbeddingCollector embeddings,
        MonosemanticityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(embeddings);
        options ??= new MonosemanticityOptions();
        if (!(options.MinimumPooledStandardDeviation > 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MinimumPooledStandardDeviation, "MinimumPooledStandardDeviation must be positive.");
        }

        var scores = new MonosemanticityScore[ranking.LatentCount];
        for (var j = 0; j < ranking.LatentCount; j++)
        {
            scores[j] = ScoreLatent(ranking.Latents[j], embeddings, options.MinimumPooledStandardDeviation);
        }

        return scores;
    }

    /// <summary>
    /// Scores one pair of sets given as normalised (unit or zero) embedding vectors: the known-answer core of
    /// <see cref="Score"/>.
    /// </summary>
    public static MonosemanticityScore ScoreSets(
        int latent,
        IReadOnlyList<float[]> top,
        IReadOnlyList<float[]> bottom,
        double minimumPooledStandardDeviation = MonosemanticityOptions.DefaultMinimumPooledStandardDeviation)
    {
        if (top.Count < 2)
        {
            return Undefined(latent, MonosemanticityStatus.TooFewTopClips);
        }

        if (bottom.Count < 2)
        {
            return Undefined(latent, MonosemanticityStatus.TooFewBottomClips);
        }

        var (topMean, topVariance) = PairwiseCosineMoments(top);
        var (bottomMean, bottomVariance) = PairwiseCosineMoments(bottom);
        var pooled = Math.Sqrt((topVariance + bottomVariance) / 2);
        var difference = topMean - bottomMean;
        var score = difference == 0 ? 0 : difference / Math.Max(pooled, minimumPooledStandardDeviation);
        return new MonosemanticityScore(latent, MonosemanticityStatus.Scored, score, topMean, bottomMean, pooled);
    }

    /// <summary>Cosine similarity of two vectors (0 where either is all zero).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Vectors of different lengths ({a.Length} and {b.Length}) have no cosine similarity.");
        }

        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return normA == 0 || normB == 0 ? 0 : dot / Math.Sqrt(normA * normB);
    }

    private static MonosemanticityScore ScoreLatent(LatentRanking latent, ClipEmbeddingCollector embeddings, double floor)
    {
        if (latent.IsDead)
        {
            return Undefined(latent.Latent, MonosemanticityStatus.Dead);
        }

        if (latent.Top.Count < 2)
        {
            return Undefined(latent.Latent, MonosemanticityStatus.TooFewTopClips);
        }

        if (latent.Bottom.Count < 2)
        {
            return Undefined(latent.Latent, MonosemanticityStatus.TooFewBottomClips);
        }

        var top = Lookup(latent.Top, embeddings);
        var bottom = Lookup(latent.Bottom, embeddings);
        return top is null || bottom is null
            ? Undefined(latent.Latent, MonosemanticityStatus.MissingEmbeddings)
            : ScoreSets(latent.Latent, top, bottom, floor);
    }

    private static float[][]? Lookup(IReadOnlyList<RankedClip> clips, ClipEmbeddingCollector embeddings)
    {
        var vectors = new float[clips.Count][];
        for (var i = 0; i < clips.Count; i++)
        {
            var vector = embeddings.Find(clips[i].ClipId);
            if (vector is null)
            {
                return null;
            }

            vectors[i] = vector;
        }

        return vectors;
    }

    private static (double Mean, double Variance) PairwiseCosineMoments(IReadOnlyList<float[]> set)
    {
        var pairs = set.Count * (set.Count - 1) / 2;
        var similarities = new double[pairs];
        var k = 0;
        for (var a = 0; a < set.Count; a++)
        {
            for (var b = a + 1; b < set.Count; b++)
            {
                similarities[k++] = Cosine(set[a], set[b]);
            }
        }

        var mean = similarities.Average();
        if (pairs < 2)
        {
            return (mean, 0);
        }

        var sum = 0.0;
        foreach (var s in similarities)
        {
            sum += (s - mean) * (s - mean);
        }

        return (mean, sum / (pairs - 1));
    }

    private static MonosemanticityScore Undefined(int latent, MonosemanticityStatus status) =>
        new(latent, status, double.NaN, double.NaN, double.NaN, double.NaN);
}
