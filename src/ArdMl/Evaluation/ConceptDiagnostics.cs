using ArdMl.Concepts;
using ArdMl.Pipeline;
using Microsoft.ML;

namespace ArdMl.Evaluation;

/// <summary>One fold of <see cref="ConceptDiagnostics.Evaluate"/>: the clips' roles and the concepts found on its discovery clips.</summary>
/// <param name="Roles">The fold's roles.</param>
/// <param name="Concepts">The concepts the fold's discovery clips gave (AR&amp;D), or null for none.</param>
public sealed record ConceptDiagnosticsFold(ClipRoleFold Roles, ConceptDictionary? Concepts);

/// <summary>Progress of <see cref="ConceptDiagnostics.Evaluate"/>.</summary>
/// <param name="Fold">The fold.</param>
/// <param name="Label">The label being measured.</param>
/// <param name="Done">Labels done over all folds.</param>
/// <param name="Total">Labels to do over all folds.</param>
public sealed record ConceptDiagnosticsProgress(string Fold, string Label, int Done, int Total);

/// <summary>
/// Why concepts fail, measured on per-clip vectors with the benchmark's roles: every probe is an ML.NET
/// LbfgsLogisticRegression fitted on a fold's labelled discovery clips and scored (average precision) on its
/// labelled evaluation clips. Per label: (1) sparse probing, probes on only the k latents whose mean μ differs most
/// between the label's discovery clips and the others, next to probes on the full SAE code and on the full layer;
/// (2) feature splitting, for each latent of the concepts of the fold named after the label (each member of a merged concept), the share of its top discovery clips
/// from its most common group against the share expected if they were drawn from the label's clips regardless of
/// group; (3) erasure, the share of latents that must be removed from the code, most associated first, before a
/// re-fitted probe falls to chance + margin.
/// </summary>
public static class ConceptDiagnostics
{
    /// <summary>How many of the most associated latents a result lists.</summary>
    public const int ListedLatents = 20;

    /// <summary>One line on how the figures are made (printed with them).</summary>
    public const string Explanation =
        "Probes: ML.NET LbfgsLogisticRegression (mean-variance normalised), one per label, fitted on the fold's labelled discovery clips, "
        + "average precision on its labelled evaluation clips. top-k = only the k latents with the largest |difference of mean μ| between "
        + "the label's discovery clips and the others; code = all m latents' μ; layer = the mean-pooled tap activations. "
        + "Erasure = share of latents removed (most associated first, probe re-fitted) until AP ≤ chance + margin. "
        + "Concentration = share of a concept's top discovery clips (by μ·c) from its most common group, against the share expected "
        + "for the same number of clips drawn from the label's discovery clips regardless of group.";

    /// <summary>Measures every label of <paramref name="labels"/> in every fold.</summary>
    /// <param name="store">The run's per-clip statistics.</param>
    /// <param name="labels">The labelled clips.</param>
    /// <param name="folds">The folds, each with the concepts of its discovery clips.</param>
    /// <param name="groupPattern">The group pattern, or null (no group concentration).</param>
    /// <param name="options">Defaults when null.</param>
    /// <param name="progress">Receives each label as it is measured.</param>
    public static ConceptDiagnosticsResult Evaluate(
        ClipStatisticsStore store,
        ClipLabelSet labels,
        IReadOnlyList<ConceptDiagnosticsFold> folds,
        string? groupPattern,
        ConceptDiagnosticsOptions? options = null,
        IProgress<ConceptDiagnosticsProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(folds);
        options ??= new ConceptDiagnosticsOptions();
        options.Validate();
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < store.ClipIds.Count; i++)
        {
            rowOf[store.ClipIds[i]] = i;
        }

        var pattern = groupPattern is null ? null : ClipGroupPattern.Create(groupPattern);
        var probe = new LabelProbe(new MLContext(seed: 0), options);
        var mapper = new ConceptLabelMapper(labels.Vocabulary);
        var results = new List<LabelDiagnostics>();
        var total = folds.Count * labels.Vocabulary.Count;
        var done = 0;
        foreach (var fold in folds)
        {
            var discovery = fold.Roles.ClipsOf(ClipRole.Discovery);
            var train = discovery.Where(labels.Contains).Select(c => rowOf[c]).ToArray();
            var test = fold.Roles.ClipsOf(ClipRole.Evaluation).Where(labels.Contains).Select(c => rowOf[c]).ToArray();
            var concepts = fold.Concepts?.Concepts ?? [];
            var named = mapper.Map([.. concepts.Select(c => c.Name)]);
            foreach (var label in labels.Vocabulary)
            {
                progress?.Report(new ConceptDiagnosticsProgress(fold.Roles.Name, label, done++, total));
                bool Has(int row) => labels.HasLabel(store.ClipIds[row], label);
                var positives = train.Count(Has);
                if (positives == 0 || positives == train.Length || !test.Any(Has))
                {
                    continue;
                }

                var order = AssociationOrder(store, train, Has);
                var trainLabels = train.Select(Has).ToArray();
                var testLabels = test.Select(Has).ToArray();
                double Fit(IReadOnlyList<float[]> vectors, int[]? latents) => probe.AveragePrecision(
                    Select(vectors, train, latents, trainLabels), Select(vectors, test, latents, testLabels), latents?.Length ?? vectors[0].Length);
                var chance = (double)testLabels.Count(l => l) / testLabels.Length;
                var layer = Fit(store.Embedding, null);
                var code = Fit(store.MeanActivation, null);
                var sparse = options.SparseProbeSizes.Where(k => k <= store.LatentCount).Distinct().Order()
                    .Select(k => new SparseProbePoint(k, Fit(store.MeanActivation, order[..k]))).ToList();
                var (curve, share) = Erase(order, code, chance + options.ErasureMargin, kept => Fit(store.MeanActivation, kept));
                var splitting = pattern is null
                    ? []
                    : concepts.Where((_, i) => string.Equals(named[i].Label, label, StringComparison.Ordinal))
                        .SelectMany(c => c.Latents.Select(latent => Concentration(store, rowOf, discovery, c.Name, latent, label, labels, pattern, options))).ToList();
                results.Add(new LabelDiagnostics(label, fold.Roles.Name, chance, layer, code, sparse, [.. order.Take(ListedLatents)], curve, share, splitting));
            }
        }

        return new ConceptDiagnosticsResult(results, [.. options.SparseProbeSizes.Distinct().Order()], store.LatentCount, pattern is not null);
    }

    /// <summary>Latents by descending |mean μ on the label's clips − mean μ on the others| (ties: lower index first).</summary>
    private static int[] AssociationOrder(ClipStatisticsStore store, int[] train, Func<int, bool> has)
    {
        var m = store.LatentCount;
        var positive = new double[m];
        var negative = new double[m];
        int p = 0, n = 0;
        foreach (var row in train)
        {
            var isPositive = has(row);
            var target = isPositive ? positive : negative;
            if (isPositive)
            {
                p++;
            }
            else
            {
                n++;
            }

            var mu = store.MeanActivation[row];
            for (var j = 0; j < m; j++)
            {
                target[j] += mu[j];
            }
        }

        var association = Enumerable.Range(0, m).Select(j => Math.Abs((positive[j] / p) - (negative[j] / n))).ToArray();
        var order = Enumerable.Range(0, m).ToArray();
        Array.Sort(order, (a, b) => association[b].CompareTo(association[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }

    /// <summary>
    /// The erasure curve at 0, 1, 2, 4, … removed latents (and m, where no feature is left and AP is chance), then a
    /// bisection between the last count above <paramref name="stop"/> and the first at or below it, to 2% of m.
    /// </summary>
    private static (IReadOnlyList<ErasurePoint> Curve, double Share) Erase(int[] order, double full, double stop, Func<int[], double> fit)
    {
        var m = order.Length;
        var measured = new SortedDictionary<int, double> { [0] = full };
        double At(int removed)
        {
            if (!measured.TryGetValue(removed, out var ap))
            {
                measured[removed] = ap = fit(order[removed..]);
            }

            return ap;
        }

        int above = 0, below = -1;
        if (full <= stop)
        {
            below = 0;
        }

        for (var removed = 1; below < 0; removed = Math.Min(m, removed * 2))
        {
            if (At(removed) <= stop || removed == m)
            {
                below = removed;
            }
            else
            {
                above = removed;
            }
        }

        while (below - above > Math.Max(1, m / 50))
        {
            var middle = (above + below) / 2;
            if (At(middle) <= stop)
            {
                below = middle;
            }
            else
            {
                above = middle;
            }
        }

        var curve = measured.Select(p => new ErasurePoint(p.Key, (double)p.Key / m, p.Value)).ToList();
        return (curve, (double)below / m);
    }

    private static ConceptGroupConcentration Concentration(
        ClipStatisticsStore store,
        IReadOnlyDictionary<string, int> rowOf,
        IReadOnlyList<string> discovery,
        string conceptName,
        int latent,
        string label,
        ClipLabelSet labels,
        ClipGroupPattern pattern,
        ConceptDiagnosticsOptions options)
    {
        float R(string clip) => store.MeanActivation[rowOf[clip]][latent] * store.Coverage[rowOf[clip]][latent];
        var top = discovery.Where(c => R(c) > 0).OrderByDescending(R).ThenBy(c => c, StringComparer.Ordinal).Take(options.TopClipCount).ToList();
        if (top.Count == 0)
        {
            return new ConceptGroupConcentration(conceptName, latent, "", double.NaN, double.NaN, double.NaN);
        }

        var topGroup = top.GroupBy(pattern.GroupOf, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        var labelGroups = discovery.Where(c => labels.HasLabel(c, label)).Select(pattern.GroupOf).ToArray();
        return new ConceptGroupConcentration(
            conceptName,
            latent,
            topGroup.Key,
            (double)topGroup.Count() / top.Count,
            ExpectedConcentration(labelGroups, top.Count, options.ChanceDraws, options.Seed),
            (double)top.Count(c => labels.HasLabel(c, label)) / top.Count);
    }

    /// <summary>Mean, over seeded draws of <paramref name="size"/> clips without replacement, of the largest group's share.</summary>
    private static double ExpectedConcentration(string[] groups, int size, int draws, ulong seed)
    {
        if (groups.Length == 0)
        {
            return double.NaN;
        }

        size = Math.Min(size, groups.Length);
        var random = new DeterministicRandom(seed);
        var pool = (string[])groups.Clone();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        double sum = 0;
        for (var draw = 0; draw < draws; draw++)
        {
            counts.Clear();
            var largest = 0;
            for (var i = 0; i < size; i++)
            {
                var j = i + random.NextInt(pool.Length - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                var count = counts[pool[i]] = counts.GetValueOrDefault(pool[i]) + 1;
                largest = Math.Max(largest, count);
            }

            sum += (double)largest / size;
        }

        return sum / draws;
    }

    private static (float[] Features, bool Label)[] Select(IReadOnlyList<float[]> vectors, int[] rows, int[]? latents, bool[] flags) =>
        [.. rows.Select((row, i) => (latents is null ? vectors[row] : [.. latents.Select(j => vectors[row][j])], flags[i]))];
}
