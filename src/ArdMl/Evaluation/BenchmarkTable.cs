using System.Globalization;
using System.Text;

namespace ArdMl.Evaluation;

/// <summary>
/// Prints benchmark results in the layout of the paper's Table 1: one row per method in the order
/// raw neurons, random representatives, mean activation only, coverage only, AR&amp;D (several rows of one method,
/// for example AR&amp;D at several layers, keep the order they were added in), columns method, MS, P, R, F1, mAP with
/// two decimals (invariant culture); a figure that is not available (NaN) prints as <c>—</c>. The method column shows
/// each result's <see cref="InterpretabilityBenchmarkResult.MethodName"/>. When a <see cref="BenchmarkMethod.Probe"/> row
/// is present it comes last and a column "mAP/probe" shows each row's mAP as a share of the probe's.
/// </summary>
public sealed class BenchmarkTable
{
    private static readonly string[] BaseHeaders = ["method", "MS", "P", "R", "F1", "mAP"];
    private readonly List<(BenchmarkMethod Method, InterpretabilityBenchmarkResult Result)> _rows = [];

    /// <summary>Creates an empty table showing <paramref name="averaging"/> precision, recall and F1.</summary>
    public BenchmarkTable(BenchmarkAveraging averaging = BenchmarkAveraging.Macro)
    {
        Averaging = averaging;
    }

    /// <summary>Which average the P, R and F1 columns show.</summary>
    public BenchmarkAveraging Averaging { get; }

    /// <summary>Adds the result of <paramref name="method"/>.</summary>
    public BenchmarkTable Add(BenchmarkMethod method, InterpretabilityBenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown benchmark method.");
        }

        _rows.Add((method, result));
        return this;
    }

    /// <summary>A result's mAP as a share of the probe row's mAP; NaN without a probe row.</summary>
    public double ShareOfProbe(InterpretabilityBenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var probe = _rows.FirstOrDefault(r => r.Method == BenchmarkMethod.Probe).Result;
        return probe is null ? double.NaN : result.MeanAveragePrecision / probe.MeanAveragePrecision;
    }

    private string[] Headers => _rows.Any(r => r.Method == BenchmarkMethod.Probe) ? [.. BaseHeaders, "mAP/probe"] : BaseHeaders;

    /// <summary>The table as aligned plain text (method column left-aligned, figures right-aligned).</summary>
    public string ToText()
    {
        var cells = Cells();
        var headers = Headers;
        var widths = Enumerable.Range(0, headers.Length).Select(c => cells.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        for (int r = 0; r < cells.Count; r++)
        {
            var line = new StringBuilder();
            for (int c = 0; c < headers.Length; c++)
            {
                line.Append(c == 0 ? cells[r][c].PadRight(widths[c]) : "  " + cells[r][c].PadLeft(widths[c]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
            if (r == 0)
            {
                text.Append(new string('-', widths.Sum() + (2 * (headers.Length - 1)))).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The table as GitHub-flavoured Markdown (figures right-aligned; <c>|</c> in names escaped).</summary>
    public string ToMarkdown()
    {
        var cells = Cells();
        var text = new StringBuilder();
        for (int r = 0; r < cells.Count; r++)
        {
            text.Append("| ").Append(string.Join(" | ", cells[r].Select(s => s.Replace("|", "\\|", StringComparison.Ordinal)))).Append(" |\n");
            if (r == 0)
            {
                text.Append("| --- |").Append(string.Concat(Enumerable.Repeat(" ---: |", cells[0].Length - 1))).Append('\n');
            }
        }

        return text.ToString();
    }

    private List<string[]> Cells()
    {
        var cells = new List<string[]> { Headers };
        foreach (var (_, result) in _rows.Select((row, i) => (row, i)).OrderBy(x => x.row.Method).ThenBy(x => x.i).Select(x => x.row))
        {
            var scores = Averaging == BenchmarkAveraging.Macro ? result.Macro : result.Micro;
            string[] row = [result.MethodName, Figure(result.MeanMonosemanticity), Figure(scores.Precision),
                Figure(scores.Recall), Figure(scores.F1), Figure(result.MeanAveragePrecision)];
            cells.Add(cells[0].Length > row.Length ? [.. row, Figure(ShareOfProbe(result))] : row);
        }

        return cells;
    }

    private static string Figure(double value) =>
        double.IsFinite(value) ? value.ToString("0.00", CultureInfo.InvariantCulture) : "—";
}
