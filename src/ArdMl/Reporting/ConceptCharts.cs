using System.Globalization;
using System.Net;
using System.Text;
using ArdMl.Concepts;

namespace ArdMl.Reporting;

/// <summary>Inline SVG charts of one concept: the density histogram of r over clips and the H-versus-L activation bars.</summary>
internal static class ConceptCharts
{
    private const int Width = 420;
    private const int Height = 190;
    private const int Left = 44;
    private const int Right = 10;
    private const int Top = 12;
    private const int Bottom = 38;

    /// <summary>Histogram of the clips' r &gt; 0 in equal bins from 0 to the largest r; zero scores are counted apart.</summary>
    public static string DensityHistogram(string id, ReadOnlySpan<float> scores, int bins, out int zeroCount, out int positiveCount)
    {
        zeroCount = 0;
        positiveCount = 0;
        var max = 0f;
        foreach (var r in scores)
        {
            if (r > 0)
            {
                positiveCount++;
                max = Math.Max(max, r);
            }
            else if (r == 0)
            {
                zeroCount++;
            }
        }

        var counts = new int[bins];
        if (positiveCount > 0)
        {
            foreach (var r in scores)
            {
                if (r > 0)
                {
                    counts[Math.Min(bins - 1, (int)(r / max * bins))]++;
                }
            }
        }

        var highest = Math.Max(1, counts.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var svg = Open(id, $"Density histogram: {positiveCount} clips with r above 0 in {bins} bins from 0 to {Number(max)}; {zeroCount} clips with r = 0 not drawn.");
        Axes(svg, "0", Number(max), "r (clips with r > 0)", highest.ToString(CultureInfo.InvariantCulture));
        var barWidth = plotWidth / (double)bins;
        for (var b = 0; b < bins; b++)
        {
            var h = counts[b] / (double)highest * plotHeight;
            var low = max * b / bins;
            var high = max * (b + 1) / bins;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bar density\" x=\"{F(Left + (b * barWidth) + 0.5)}\" y=\"{F(Top + plotHeight - h)}\" width=\"{F(Math.Max(0.5, barWidth - 1))}\" height=\"{F(h)}\">")
                .Append(CultureInfo.InvariantCulture, $"<title>r {Number(low)} to {Number(high)}: {counts[b]} clips</title></rect>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Bars of r for the H clips (best first) then the L clips (least first), on one scale.</summary>
    public static string Activation(string id, IReadOnlyList<RankedClip> top, IReadOnlyList<RankedClip> bottom)
    {
        var max = top.Concat(bottom).Select(c => c.Representativeness).DefaultIfEmpty(0).Max();
        var scale = max > 0 ? max : 1;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var svg = Open(id, $"Activation: r of {top.Count} H clips (most representative) and {bottom.Count} L clips (least representative); largest r {Number(max)}.");
        Axes(svg, string.Empty, string.Empty, string.Empty, Number(max));
        var slots = top.Count + bottom.Count + (top.Count > 0 && bottom.Count > 0 ? 1 : 0);
        if (slots == 0)
        {
            return svg.Append("</svg>").ToString();
        }

        var slot = plotWidth / (double)slots;
        var x = 0.0;
        void Bars(IReadOnlyList<RankedClip> clips, string set, string css)
        {
            for (var i = 0; i < clips.Count; i++)
            {
                var r = Math.Max(0, clips[i].Representativeness);
                // A positive r stays visible (2 px) next to much larger H values; the tooltip has the exact value.
                var h = r > 0 ? Math.Max(2, r / scale * plotHeight) : 0;
                var barX = Left + x + (slot * 0.15);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar {css}\" x=\"{F(barX)}\" y=\"{F(Top + plotHeight - h)}\" width=\"{F(slot * 0.7)}\" height=\"{F(Math.Max(h, 0))}\">")
                    .Append(CultureInfo.InvariantCulture, $"<title>{set}{i + 1} {WebUtility.HtmlEncode(clips[i].ClipId)}: r = {Number(clips[i].Representativeness)}</title></rect>");
                if (slot >= 14)
                {
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<text class=\"tick\" x=\"{F(barX + (slot * 0.35))}\" y=\"{F(Top + plotHeight + 13)}\" text-anchor=\"middle\">{set}{i + 1}</text>");
                }

                x += slot;
            }
        }

        Bars(top, "H", "high");
        if (top.Count > 0 && bottom.Count > 0)
        {
            x += slot;
        }

        Bars(bottom, "L", "low");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis-label\" x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 4}\" text-anchor=\"middle\">H clips (accent) and L clips (grey)</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>A number as the page shows it: three significant digits, invariant culture.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString(Math.Abs(value) is >= 0.001 and < 1e5 or 0 ? "0.###" : "0.##e0", CultureInfo.InvariantCulture);

    private static StringBuilder Open(string id, string description)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-labelledby=\"{id}\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}\">{WebUtility.HtmlEncode(description)}</title>");
        return svg;
    }

    private static void Axes(StringBuilder svg, string xMin, string xMax, string xLabel, string yMax)
    {
        var baseline = Height - Bottom;
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{baseline}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{baseline}\" x2=\"{Width - Right}\" y2=\"{baseline}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\">{WebUtility.HtmlEncode(yMax)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{baseline}\" text-anchor=\"end\">0</text>");
        if (xLabel.Length > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left}\" y=\"{baseline + 14}\" text-anchor=\"start\">{WebUtility.HtmlEncode(xMin)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Width - Right}\" y=\"{baseline + 14}\" text-anchor=\"end\">{WebUtility.HtmlEncode(xMax)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" x=\"{Left + ((Width - Left - Right) / 2)}\" y=\"{Height - 4}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        }
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
