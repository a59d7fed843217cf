namespace ArdMl.Evaluation;

/// <summary>Score-ranking metrics of the interpretability benchmark (scores are a concept's representativeness r).</summary>
public static class RankingMetrics
{
    /// <summary>
    /// Average precision of ranking clips by descending score against binary relevance. Clips with equal scores form
    /// one step (they are accepted together, so the result never depends on clip order or ids):
    /// <c>AP = Σ_s (R_s − R_{s−1}) · P_s</c> over the distinct scores s in descending order, where P_s and R_s are the
    /// precision and recall of "score ≥ s". Without ties this is the mean, over the relevant clips, of the precision
    /// at that clip's rank. Returns NaN when no clip is relevant.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant)
    {
        var order = SortedDescending(scores, relevant);
        long positives = relevant.Count(r => r);
        if (positives == 0)
        {
            return double.NaN;
        }

        double ap = 0;
        long tp = 0, accepted = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            long groupPositives = 0;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                groupPositives += relevant[order[end]] ? 1 : 0;
                end++;
            }

            tp += groupPositives;
            accepted += end - start;
            if (groupPositives > 0)
            {
                ap += ((double)groupPositives / positives) * ((double)tp / accepted);
            }

            start = end;
        }

        return ap;
    }

    /// <summary>
    /// Chooses the threshold τ of the rule "score ≥ τ" that maximises F1 on the given (held-out) clips. Candidates are
    /// "nothing" (τ = +∞, F1 = 0) and one cut below each distinct score; among equal F1 the higher threshold (fewer
    /// positive predictions) wins. The reported τ for a cut is the midpoint between the lowest accepted score and the
    /// highest rejected one (the lowest accepted score when nothing is rejected), so that unseen scores between the two
    /// are split evenly. With no relevant clip the result is τ = +∞.
    /// </summary>
    public static ThresholdChoice ChooseThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant)
    {
        var order = SortedDescending(scores, relevant);
        long positives = relevant.Count(r => r);
        double bestF1 = 0;
        double bestThreshold = double.PositiveInfinity;
        long tp = 0, accepted = 0;
        for (int start = 0; start < order.Length;)
        {
            double score = scores[order[start]];
            int end = start;
            while (end < order.Length && scores[order[end]] == score)
            {
                tp += relevant[order[end]] ? 1 : 0;
                end++;
            }

            accepted += end - start;
            double f1 = DetectionScores.FromCounts(tp, accepted - tp, positives - tp).F1;
            if (f1 > bestF1)
            {
                bestF1 = f1;
                if (end < order.Length)
                {
                    double next = scores[order[end]];
                    double mid = score + ((next - score) / 2);
                    bestThreshold = mid > next && mid <= score ? mid : score;
                }
                else
                {
                    bestThreshold = score;
                }
            }

            start = end;
        }

        return new ThresholdChoice(bestThreshold, bestF1);
    }

    private static int[] SortedDescending(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(relevant);
        if (scores.Count != relevant.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {relevant.Count} relevance flags.", nameof(relevant));
        }

        for (int i = 0; i < scores.Count; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score {i} is {scores[i]}; scores must be finite.", nameof(scores));
            }
        }

        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }
}
