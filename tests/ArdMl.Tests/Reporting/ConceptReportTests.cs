using System.CommandLine;
using System.Text.RegularExpressions;
using ArdMl.Audio;
using ArdMl.Cli.Commands;
using ArdMl.Reporting;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Reporting;

[Collection(InProcessCliCollection.Name)]
public sealed partial class ConceptReportTests : IDisposable
{
    private readonly ReportFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void PageIsOneSelfContainedDocumentWithIndexAndOneArticlePerConcept()
    {
        var html = ConceptReport.Render(_fixture.Inputs());

        html.Should().StartWith("<!DOCTYPE html>");
        Regex.Matches(html, "<html[ >]").Should().HaveCount(1);
        html.Should().Contain("Content-Security-Policy");
        html.Should().NotContainAny("http://", "https://", "<link", "<iframe", "url(", "@import");
        Regex.Matches(html, "<tr data-concept=").Should().HaveCount(_fixture.Dictionary.Concepts.Count);
        Regex.Matches(html, "<article class=\"concept\"").Should().HaveCount(_fixture.Dictionary.Concepts.Count);
        Regex.Matches(html, "<svg class=\"chart\"").Should().HaveCount(2 * _fixture.Dictionary.Concepts.Count);
        Regex.Matches(html, "<svg[^>]*role=\"img\" aria-labelledby=").Should().HaveCount(2 * _fixture.Dictionary.Concepts.Count);
        html.Should().Contain("<input id=\"concept-search\" type=\"search\"").And.Contain("<label for=\"concept-search\">");
        html.Should().Contain("trimmed to its first 3 s");
        foreach (var concept in _fixture.Dictionary.Concepts)
        {
            html.Should().Contain($"<span class=\"latent\">latent {concept.Latent}</span>");
            html.Should().Contain($"id=\"concept-{concept.Latent}\"");
        }
    }

    [Fact]
    public void EveryTextIsHtmlEncodedIncludingAScriptTagInAConceptName()
    {
        var html = ConceptReport.Render(_fixture.Inputs());

        html.Should().NotContain(ReportFixture.HostileName);
        html.Should().NotContain("<script>alert");
        Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Should().HaveCount(1, "the page's own search script is the only script");
        html.Should().Contain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        var searchAttribute = IndexRows().Matches(html).Single(m => m.Groups["concept"].Value == "concept-3").Groups["search"].Value;
        searchAttribute.Should().StartWith(" script alert x script quoted ");
    }

    [Fact]
    public void IndexIsSortedByMonosemanticityWithUndefinedScoresLast()
    {
        var html = ConceptReport.Render(_fixture.Inputs(withAudio: false));

        var order = IndexRows().Matches(html).Select(m => m.Groups["concept"].Value).ToList();
        var expected = _fixture.Dictionary.Concepts
            .OrderBy(c => double.IsNaN(c.Monosemanticity) ? 1 : 0)
            .ThenByDescending(c => double.IsNaN(c.Monosemanticity) ? 0 : c.Monosemanticity)
            .Select(c => $"concept-{c.Latent}")
            .ToList();
        order.Should().Equal(expected);
        order.Should().Equal("concept-8", "concept-18", "concept-3", "concept-13");
        Regex.Matches(html, "<article class=\"concept\" id=\"(?<id>[^\"]+)\"").Select(m => m.Groups["id"].Value).Should().Equal(expected);
    }

    [Fact]
    public void MaxConceptsKeepsTheMostMonosemantic()
    {
        var html = ConceptReport.Render(_fixture.Inputs(withAudio: false), new ConceptReportOptions { MaxConcepts = 2 });

        IndexRows().Matches(html).Select(m => m.Groups["concept"].Value).Should().Equal("concept-8", "concept-18");
        html.Should().Contain("2 of 4 (the most monosemantic)");
    }

    [Fact]
    public void EmbeddedAudioIsValidSixteenKilohertzMonoWavTrimmedToTheClipLength()
    {
        var options = new ConceptReportOptions { ClipSeconds = 1.25, MaxClipsPerSet = 3 };
        var html = ConceptReport.Render(_fixture.Inputs(), options);

        var uris = Regex.Matches(html, "<audio id=\"(?<id>clip-audio-\\d+)\" controls preload=\"metadata\" aria-label=\"[^\"]+\" src=\"data:audio/wav;base64,(?<data>[A-Za-z0-9+/=]+)\"></audio>");
        var shownClips = _fixture.Dictionary.Concepts.SelectMany(c => c.Top.Take(3).Concat(c.Bottom.Take(3))).Select(c => c.ClipId).ToList();
        shownClips.Distinct().Count().Should().BeLessThan(shownClips.Count, "the fixture repeats clips across concepts");
        uris.Should().HaveCount(shownClips.Distinct().Count(), "each clip is embedded once");
        Regex.Matches(html, "<audio").Should().HaveCount(shownClips.Count, "every shown clip has a player");
        var ids = uris.Select(u => u.Groups["id"].Value).ToHashSet();
        var references = Regex.Matches(html, "<audio controls preload=\"metadata\" aria-label=\"[^\"]+\" data-same-audio=\"(?<ref>[^\"]+)\"></audio>");
        references.Should().HaveCount(shownClips.Count - uris.Count);
        references.Select(r => r.Groups["ref"].Value).Should().OnlyContain(r => ids.Contains(r));
        foreach (Match uri in uris)
        {
            var bytes = Convert.FromBase64String(uri.Groups["data"].Value);
            System.Text.Encoding.ASCII.GetString(bytes, 0, 4).Should().Be("RIFF");
            var audio = AudioDecoder.Decode(bytes, "embedded clip");
            audio.SampleRate.Should().Be(16000);
            audio.Channels.Should().Be(1);
            audio.BitsPerSample.Should().Be(16);
            audio.FrameCount.Should().BeInRange(1, 20000);
            audio.Samples.Should().Contain(s => Math.Abs(s) > 0.001f, "the clip is not silence");
        }

        html.Should().Contain("trimmed to its first 1.25 s");
    }

    [Fact]
    public void EmbeddedSnippetKeepsTheSamplesOfTheClipStart()
    {
        var id = _fixture.Dictionary.Concepts[1].Top[0].ClipId;
        var samples = AudioLoader.LoadMono(Path.Combine(_fixture.CorpusDirectory, "clips", id));
        var uri = EmbeddedWav.DataUri(samples, 16000, 0.5);

        var decoded = AudioDecoder.Decode(Convert.FromBase64String(uri[EmbeddedWav.Prefix.Length..]), id);
        decoded.FrameCount.Should().Be(8000);
        for (var i = 0; i < 8000; i += 97)
        {
            decoded.Samples[i].Should().BeApproximately(samples[i], 1.5f / 32768);
        }
    }

    [Fact]
    public void ClipsShowTheirCaptionsAndRepresentativeness()
    {
        var html = ConceptReport.Render(_fixture.Inputs(withAudio: false));

        var concept = _fixture.Dictionary.Concepts[1];
        var clip = concept.Top[0];
        html.Should().Contain($"<span class=\"clip-id\" title=\"{clip.ClipId}\">{clip.ClipId}</span><span class=\"r\">r = {ConceptCharts.Number(clip.Representativeness)}</span>");
        html.Should().Contain($"<p class=\"clip-caption\">{System.Net.WebUtility.HtmlEncode(_fixture.CaptionOf(clip.ClipId))}</p>");
        html.Should().Contain("No audio folder was given");
        html.Should().NotContain("<audio");
    }

    [Fact]
    public void WithoutScoresTheHistogramIsReplacedByANote()
    {
        var inputs = _fixture.Inputs(withAudio: false);
        var html = ConceptReport.Render(new ConceptReportInputs { Dictionary = inputs.Dictionary, ClipCaptions = inputs.ClipCaptions });

        Regex.Matches(html, "density histogram not available").Should().HaveCount(_fixture.Dictionary.Concepts.Count);
        Regex.Matches(html, "<svg class=\"chart\"").Should().HaveCount(_fixture.Dictionary.Concepts.Count);
    }

    [Fact]
    public void HistogramCountsEveryPositiveClipOnceAndZerosApart()
    {
        float[] scores = [0, 0, 0.1f, 0.2f, 0.2f, 1f, 0.55f];
        var svg = ConceptCharts.DensityHistogram("h", scores, 4, out var zeros, out var positives);

        zeros.Should().Be(2);
        positives.Should().Be(5);
        var counts = Regex.Matches(svg, @": (?<n>\d+) clips</title>").Select(m => int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        counts.Should().Equal(3, 0, 1, 1);
    }

    [Fact]
    public void ScoreTableReadsQuotedHeadersAndMatchesColumnsByNameLatentOrPosition()
    {
        var run = _fixture.WriteRunFolder();
        var table = ClipScoreTable.ReadCsv(Path.Combine(run, "concept-scores.csv"));

        table.ColumnNames.Should().Equal(_fixture.Scores.ColumnNames);
        table.ClipIds.Should().Equal(_fixture.Scores.ClipIds);
        table.Column(2).ToArray().Should().Equal(_fixture.Scores.Column(2).ToArray());
        table.ColumnsOf(_fixture.Dictionary).Should().Equal(0, 1, 2, 3);

        var byLatent = ClipScoreTable.ReadCsv(new StringReader("clip,latent_13,latent 3,8,latent-18\na,1,2,3,4\n"), "mem");
        byLatent.ColumnsOf(_fixture.Dictionary).Should().Equal(1, 2, 0, 3);
        var byPosition = ClipScoreTable.ReadCsv(new StringReader("clip,p,q,r,s\na,1,2,3,4\n"), "mem");
        byPosition.ColumnsOf(_fixture.Dictionary).Should().Equal(0, 1, 2, 3);
        var unmatched = ClipScoreTable.ReadCsv(new StringReader("clip,p,q\na,1,2\n"), "mem");
        unmatched.Invoking(t => t.ColumnsOf(_fixture.Dictionary)).Should().Throw<FormatException>().WithMessage("*2 score columns*4 concept*");
    }

    [Fact]
    public void ScoreTableRejectsBadInputNamingLineAndColumn()
    {
        var act = () => ClipScoreTable.ReadCsv(new StringReader("clip,alpha,beta\na,1,2\nb,1,oops\n"), "scores.csv");
        act.Should().Throw<FormatException>().WithMessage("scores.csv, line 3, column 'beta': 'oops' is not a number.");
        var ragged = () => ClipScoreTable.ReadCsv(new StringReader("clip,alpha\na,1,2\n"), "scores.csv");
        ragged.Should().Throw<FormatException>().WithMessage("scores.csv, line 2: 3 fields; the header has 2.");
        var empty = () => ClipScoreTable.ReadCsv(new StringReader(""), "scores.csv");
        empty.Should().Throw<FormatException>().WithMessage("scores.csv: the file is empty*");
    }

    [Fact]
    public void OptionsOutOfRangeAreRejected()
    {
        var inputs = _fixture.Inputs(withAudio: false);
        FluentActions.Invoking(() => ConceptReport.Render(inputs, new ConceptReportOptions { ClipSeconds = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ClipSeconds*");
        FluentActions.Invoking(() => ConceptReport.Render(inputs, new ConceptReportOptions { MaxConcepts = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxConcepts*");
    }

    [Fact]
    public void ClipAudioFolderFindsClipsByRelativePathOrFileName()
    {
        var folder = new ClipAudioFolder(_fixture.CorpusDirectory, maxSeconds: 0.25);
        var id = _fixture.Corpus.Entries[0].FileName;

        folder.Resolve(id).Should().Be(Path.Combine(_fixture.CorpusDirectory, "clips", id));
        folder.Resolve("clips/" + id).Should().Be(Path.Combine(_fixture.CorpusDirectory, "clips", id));
        folder.Resolve("/elsewhere/" + id).Should().Be(Path.Combine(_fixture.CorpusDirectory, "clips", id));
        folder.Resolve("missing.wav").Should().BeNull();
        folder.Load(id)!.Length.Should().Be(4000);
        folder.Load("missing.wav").Should().BeNull();
    }

    [Fact]
    public void ReportCommandBuildsThePageFromARunFolder()
    {
        var run = _fixture.WriteRunFolder();
        var output = Path.Combine(_fixture.Root, "out", "report.html");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var root = new RootCommand { ReportCommand.Create() };

        var code = root.Parse(["report", "--run", run, "--out", output, "--max-concepts", "3", "--clip-seconds", "1"]).Invoke();

        code.Should().Be(0);
        var html = File.ReadAllText(output);
        IndexRows().Matches(html).Should().HaveCount(3);
        Regex.Matches(html, "<audio").Count.Should().BeGreaterThan(0, "the manifest names the corpus folder");
        html.Should().Contain("<p class=\"clip-caption\">", "captions.csv of the corpus is found next to the clips");
        html.Should().NotContain("density histogram not available");

        File.Delete(Path.Combine(run, "concepts.json"));
        root.Parse(["report", "--run", run, "--out", output]).Invoke().Should().Be(1);
    }

    [Fact]
    public void SearchWordsAreLowerCaseWordsSeparatedBySingleSpaces()
    {
        ConceptReport.SearchWords("A high-voiced 'oo' Vowel, <b>loud</b>!").Should().Be(" a high voiced oo vowel b loud b");
        ConceptReport.SearchWords("Ünïcode 42").Should().Be(" ünïcode 42");
        ConceptReport.SearchWords("").Should().BeEmpty();
    }

    [GeneratedRegex("<tr data-concept=\"(?<concept>[^\"]+)\" data-search=\"(?<search>[^\"]*)\">")]
    private static partial Regex IndexRows();
}
