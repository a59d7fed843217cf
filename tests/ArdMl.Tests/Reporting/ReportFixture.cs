using System.Globalization;
using System.Text;
using ArdMl.Audio;
using ArdMl.Concepts;
using ArdMl.Demo;
using ArdMl.Reporting;

namespace ArdMl.Tests.Reporting;

/// <summary>
/// A small demo corpus on disk plus a hand-built concept dictionary over it (one concept per demo label present, H =
/// the clips carrying the label) and the per-clip score table: the report's inputs without a full discover run.
/// </summary>
internal sealed class ReportFixture : IDisposable
{
    public const string HostileName = "<script>alert('x')</script> & \"quoted\"";

    public ReportFixture(int clipCount = 24)
    {
        Root = Path.Combine(Path.GetTempPath(), "ardml-report-" + Guid.NewGuid().ToString("N"));
        CorpusDirectory = Path.Combine(Root, "corpus");
        DemoCorpusGenerator.Write(CorpusDirectory, new DemoCorpusOptions { ClipCount = clipCount, Seed = 7 });
        Corpus = DemoCorpus.Load(CorpusDirectory);
        var clipIds = Corpus.Entries.Select(e => e.FileName).ToList();
        var labels = Corpus.Entries.SelectMany(e => e.Labels).Distinct().Order(StringComparer.Ordinal).Take(4).ToList();
        double[] monosemanticity = [0.4, 2.1, double.NaN, 1.3];
        var concepts = new List<Concept>();
        var columns = new List<float[]>();
        for (var c = 0; c < labels.Count; c++)
        {
            var label = labels[c];
            var r = new float[clipIds.Count];
            for (var i = 0; i < r.Length; i++)
            {
                r[i] = Corpus.Entries[i].Labels.Contains(label) ? 0.5f + (0.1f * (i % 5)) : i % 3 == 0 ? 0f : 0.01f * (i % 4);
            }

            var ranked = Enumerable.Range(0, r.Length).Select(i => new RankedClip(clipIds[i], r[i], r[i])).ToList();
            var top = ranked.OrderByDescending(x => x.Representativeness).ThenBy(x => x.ClipId, StringComparer.Ordinal).Take(4).ToList();
            var bottom = ranked.Where(x => x.Representativeness > 0).OrderBy(x => x.Representativeness).ThenBy(x => x.ClipId, StringComparer.Ordinal).Take(4).ToList();
            concepts.Add(new Concept
            {
                Latent = 3 + (c * 5),
                Name = c == 0 ? HostileName : label,
                NamingSource = NamingSource.MajorityLabel,
                CaptionsUsed = [.. top.Select(t => CaptionOf(t.ClipId))],
                Monosemanticity = monosemanticity[c],
                TopCohesion = 0.8,
                BottomCohesion = 0.3,
                ActiveClipCount = r.Count(v => v > 0),
                ActiveClipShare = r.Count(v => v > 0) / (double)r.Length,
                MeanCoverage = 0.2,
                MeanRepresentativeness = r.Average(),
                MaxRepresentativeness = r.Max(),
                PositiveRepresentativenessCount = r.Count(v => v > 0),
                Top = top,
                Bottom = bottom,
            });
            columns.Add(r);
        }

        Dictionary = new ConceptDictionary(32, clipIds.Count, new ConceptRankerOptions(), concepts, [0, 1]);
        Scores = new ClipScoreTable(clipIds, [.. concepts.Select(c => c.Name)], columns);
    }

    public string Root { get; }

    public string CorpusDirectory { get; }

    public DemoCorpus Corpus { get; }

    public ConceptDictionary Dictionary { get; }

    public ClipScoreTable Scores { get; }

    public ConceptReportInputs Inputs(bool withAudio = true) => new()
    {
        Dictionary = Dictionary,
        ClipAudio = withAudio ? id => AudioLoader.LoadMono(Path.Combine(CorpusDirectory, DemoCorpusGenerator.ClipsFolder, id)) : null,
        ClipCaptions = id => [CaptionOf(id)],
        Scores = Scores,
    };

    public string CaptionOf(string clipId) => Corpus.Entries.Single(e => e.FileName == clipId).Caption;

    /// <summary>Writes a run folder like `ard discover` does: concepts.json, the score CSV and a manifest naming the corpus.</summary>
    public string WriteRunFolder()
    {
        var run = Path.Combine(Root, "run");
        Directory.CreateDirectory(run);
        ConceptDictionaryJson.Save(Dictionary, Path.Combine(run, "concepts.json"));
        var csv = new StringBuilder("clip");
        foreach (var name in Scores.ColumnNames)
        {
            csv.Append(",\"").Append(name.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        csv.Append('\n');
        for (var i = 0; i < Scores.ClipIds.Count; i++)
        {
            csv.Append(Scores.ClipIds[i]);
            for (var c = 0; c < Scores.ColumnNames.Count; c++)
            {
                csv.Append(',').Append(Scores.Column(c)[i].ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        File.WriteAllText(Path.Combine(run, "concept-scores.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(run, "manifest.json"), $$"""{ "model": "demo", "audio": "{{CorpusDirectory.Replace("\\", "\\\\", StringComparison.Ordinal)}}" }""");
        return run;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
