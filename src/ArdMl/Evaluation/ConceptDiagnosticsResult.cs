using System.Globalization;
using System.Text;

namespace ArdMl.Evaluation;

/// <summary>The average precision of a probe on k latents.</summary>
/// <param name="LatentCount">k: the latents the probe saw (the k most associated with the label on the discovery clips).</param>
/// <param name="AveragePrecision">Its average precision on the evaluation clips.</param>
public sealed record SparseProbePoint(int LatentCount, double AveragePrecision);

/// <summary>One point of an erasure curve: a probe re-fitted without the most associated latents.</summary>
/// <param name="RemovedLatents">Latents removed from the SAE code, most associated first.</param>
/// <param name="RemovedShare">The removed latents as a share of all m latents.</param>
/// <param name="AveragePrecision">The re-fitted probe's average precision on the evaluation clips.</param>
public sealed record ErasurePoint(int RemovedLatents, double RemovedShare, double AveragePrecision);

/// <summary>How one concept named after a label spreads its top clips over groups.</summary>
/// <param name="Name">The concept's name.</param>
/// <param name="Latent">Its latent.</param>
/// <param name="TopGroup">The group most of its top clips come from.</param>
/// <param name="Concentration">The share of its top clips from <paramref name="TopGroup"/>.</param>
/// <param name="ExpectedConcentration">The same share expected if the top clips were drawn from the label's discovery clips regardless of group.</param>
/// <param name="LabelShare">The share of its top clips that carry the label.</param>
public sealed record ConceptGroupConcentration(string Name, int Latent, string TopGroup, double Concentration, double ExpectedConcentration, double LabelShare);

/// <summary>The diagnostics of one label in one fold (probes fitted on its discovery clips, scored on its evaluation clips).</summary>
/// <param name="Label">The label.</param>
/// <param name="Fold">The fold's name.</param>
/// <param name="Chance">The label's share of the labelled evaluation clips: the average precision of a constant score.</param>
/// <param name="FullLayerAveragePrecision">A probe on the clips' mean-pooled tap activations (all d units).</param>
/// <param name="FullCodeAveragePrecision">A probe on the clips' full SAE code (mean activation μ of all m latents).</param>
/// <param name="SparseProbes">Probes on the k most associated latents, by k.</param>
/// <param name="MostAssociatedLatents">The latents in order of association (|difference of mean μ| between the label's discovery clips and the others), the first 20.</param>
/// <param name="Erasure">The erasure curve, by removed latents.</param>
/// <param name="ErasureShare">The share of latents removed until the average precision fell to chance + margin (0: already there with every latent).</param>
/// <param name="Concepts">The latents of the fold's concepts named after the label (every member of a concept of several latents), with their group concentration (empty without groups or such concepts).</param>
public sealed record LabelDiagnostics(
    string Label,
    string Fold,
    double Chance,
    double FullLayerAveragePrecision,
    double FullCodeAveragePrecision,
    IReadOnlyList<SparseProbePoint> SparseProbes,
    IReadOnlyList<int> MostAssociatedLatents,
    IReadOnlyList<ErasurePoint> Erasure,
    double ErasureShare,
    IReadOnlyList<ConceptGroupConcentration> Concepts)
{
    /// <summary>The sparse probe's average precision at <paramref name="k"/> latents, NaN when not measured.</summary>
    /// <param name="k">Latents.</param>
    public double SparseAveragePrecision(int k) => SparseProbes.FirstOrDefault(p => p.LatentCount == k)?.AveragePrecision ?? double.NaN;
}

/// <summary>One label's diagnostics averaged over the folds that could measure it.</summary>
/// <param name="Label">The label.</param>
/// <param name="FoldCount">Folds with the label on discovery and evaluation clips.</param>
/// <param name="Chance">Mean chance average precision.</param>
/// <param name="FullLayerAveragePrecision">Mean full-layer probe average precision.</param>
/// <param name="FullCodeAveragePrecision">Mean full-SAE-code probe average precision.</param>
/// <param name="SparseProbes">Mean sparse probe average precision, by k.</param>
/// <param name="ErasureShare">Mean erasure share.</param>
/// <param name="ConceptCount">Mean number of latents per fold in the concepts named after the label.</param>
/// <param name="Concentration">Mean group concentration of those concepts (NaN without any).</param>
/// <param name="ExpectedConcentration">Mean expected concentration of those concepts (NaN without any).</param>
public sealed record LabelDiagnosticsSummary(
    string Label,
    int FoldCount,
    double Chance,
    double FullLayerAveragePrecision,
    double FullCodeAveragePrecision,
    IReadOnlyList<SparseProbePoint> SparseProbes,
    double ErasureShare,
    double ConceptCount,
    double Concentration,
    double ExpectedConcentration);

/// <summary>What <see cref="ConceptDiagnostics.Evaluate"/> measured: per fold and label, and per label over the folds.</summary>
public sealed class ConceptDiagnosticsResult
{
    internal ConceptDiagnosticsResult(IReadOnlyList<LabelDiagnostics> perFold, IReadOnlyList<int> sparseProbeSizes, int latentCount, bool grouped)
    {
        PerFold = perFold;
        SparseProbeSizes = sparseProbeSizes;
        LatentCount = latentCount;
        IsGrouped = grouped;
        Labels = [.. perFold.GroupBy(l => l.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(Summarize)];
    }

    /// <summary>Every label of every fold it could be measured in.</summary>
    public IReadOnlyList<LabelDiagnostics> PerFold { get; }

    /// <summary>Per label, averaged over folds, in ordinal order.</summary>
    public IReadOnlyList<LabelDiagnosticsSummary> Labels { get; }

    /// <summary>The sparse probes' sizes k.</summary>
    public IReadOnlyList<int> SparseProbeSizes { get; }

    /// <summary>SAE latents m.</summary>
    public int LatentCount { get; }

    /// <summary>Whether clips had groups (group concentration is measured only then).</summary>
    public bool IsGrouped { get; }

    /// <summary>Mean over labels of the full-layer probe's average precision.</summary>
    public double FullLayerMeanAveragePrecision => Mean(Labels.Select(l => l.FullLayerAveragePrecision));

    /// <summary>Mean over labels of the full-SAE-code probe's average precision.</summary>
    public double FullCodeMeanAveragePrecision => Mean(Labels.Select(l => l.FullCodeAveragePrecision));

    /// <summary>Mean over labels of chance.</summary>
    public double MeanChance => Mean(Labels.Select(l => l.Chance));

    /// <summary>Mean over labels of the erasure share.</summary>
    public double MeanErasureShare => Mean(Labels.Select(l => l.ErasureShare));

    /// <summary>Mean over labels of the sparse probe's average precision at k latents.</summary>
    /// <param name="k">Latents.</param>
    public double SparseMeanAveragePrecision(int k) => Mean(Labels.Select(l => l.SparseProbes.FirstOrDefault(p => p.LatentCount == k)?.AveragePrecision ?? double.NaN));

    /// <summary>Mean over every concept named after a label (all folds) of its group concentration; NaN without any.</summary>
    public double MeanConcentration => Mean(PerFold.SelectMany(l => l.Concepts).Select(c => c.Concentration));

    /// <summary>Mean over the same concepts of the expected concentration; NaN without any.</summary>
    public double MeanExpectedConcentration => Mean(PerFold.SelectMany(l => l.Concepts).Select(c => c.ExpectedConcentration));

    /// <summary>
    /// The table, one row per label and a mean row: chance, the layer and code probes, the sparse probes, the erasure
    /// share, latents per fold in the concepts named after the label and their group concentration against the expected share.
    /// </summary>
    /// <param name="markdown">A Markdown table instead of aligned text.</param>
    public string ToTable(bool markdown = false)
    {
        var header = new List<string> { "label", "folds", "chance", "layer", "code" };
        header.AddRange(SparseProbeSizes.Select(k => string.Create(CultureInfo.InvariantCulture, $"top-{k}")));
        header.AddRange(["erasure", "latents", "concentration", "expected"]);
        var rows = Labels.Select(l => Row(l.Label, l.FoldCount.ToString(CultureInfo.InvariantCulture), l.Chance, l.FullLayerAveragePrecision, l.FullCodeAveragePrecision,
            l.SparseProbes.Select(p => p.AveragePrecision), l.ErasureShare, l.ConceptCount, l.Concentration, l.ExpectedConcentration)).ToList();
        rows.Add(Row("mean", PerFold.Count.ToString(CultureInfo.InvariantCulture), MeanChance, FullLayerMeanAveragePrecision, FullCodeMeanAveragePrecision,
            SparseProbeSizes.Select(SparseMeanAveragePrecision), MeanErasureShare, Labels.Count == 0 ? double.NaN : Labels.Average(l => l.ConceptCount),
            MeanConcentration, MeanExpectedConcentration));
        var text = new StringBuilder();
        if (markdown)
        {
            text.Append("| ").AppendJoin(" | ", header).Append(" |\n|").AppendJoin("|", header.Select((_, i) => i == 0 ? " --- " : " ---: ")).Append("|\n");
            foreach (var row in rows)
            {
                text.Append("| ").AppendJoin(" | ", row).Append(" |\n");
            }

            return text.ToString();
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            text.Append("  ").AppendJoin("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).Append('\n');
        }

        return text.ToString();
    }

    private static List<string> Row(
        string label, string folds, double chance, double layer, double code, IEnumerable<double> sparse, double erasure, double concepts, double concentration, double expected)
    {
        static string F(double value) => double.IsFinite(value) ? value.ToString("F3", CultureInfo.InvariantCulture) : "-";
        var row = new List<string> { label, folds, F(chance), F(layer), F(code) };
        row.AddRange(sparse.Select(F));
        row.AddRange([F(erasure), concepts.ToString("0.#", CultureInfo.InvariantCulture), F(concentration), F(expected)]);
        return row;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }

    private LabelDiagnosticsSummary Summarize(IGrouping<string, LabelDiagnostics> folds)
    {
        var concepts = folds.SelectMany(f => f.Concepts).ToList();
        return new LabelDiagnosticsSummary(
            folds.Key,
            folds.Count(),
            Mean(folds.Select(f => f.Chance)),
            Mean(folds.Select(f => f.FullLayerAveragePrecision)),
            Mean(folds.Select(f => f.FullCodeAveragePrecision)),
            [.. SparseProbeSizes.Select(k => new SparseProbePoint(k, Mean(folds.Select(f => f.SparseAveragePrecision(k)))))],
            Mean(folds.Select(f => f.ErasureShare)),
            folds.Average(f => f.Concepts.Count),
            Mean(concepts.Select(c => c.Concentration)),
            Mean(concepts.Select(c => c.ExpectedConcentration)));
    }
}
