using System.Buffers.Binary;
using System.Text.RegularExpressions;
using ArdMl.Reporting;

namespace ArdMl.Tests.Reporting;

/// <summary>Opens the generated page in headless Chromium: it renders, its audio players load, the search filters.</summary>
public sealed class ConceptReportBrowserTests : IDisposable
{
    private readonly ReportFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [SkippableFact]
    public void PageRendersInChromiumAndEveryAudioPlayerLoadsItsClip()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium is null, HeadlessChromium.MissingMessage);
        var page = Path.Combine(_fixture.Root, "report.html");
        ConceptReport.Save(_fixture.Inputs(), page, new ConceptReportOptions { ClipSeconds = 1.5 });
        var players = Regex.Matches(File.ReadAllText(page), "<audio ").Count;
        players.Should().BeGreaterThan(10);

        var dom = HeadlessChromium.DumpDom(chromium!, new Uri(page).AbsoluteUri);

        dom.Should().Contain("<body data-audio=\"settled\"", "every player reported loadedmetadata or error");
        Regex.Matches(dom, "<audio [^>]*data-loaded=\"true\"").Should().HaveCount(players, "every embedded clip decodes in the browser");
        dom.Should().NotContain("data-loaded=\"error\"");
        Regex.Matches(dom, "<article class=\"concept\"").Should().HaveCount(_fixture.Dictionary.Concepts.Count);
        Regex.Matches(dom, "<script", RegexOptions.IgnoreCase).Should().HaveCount(1, "the concept named <script> stays text");
        dom.Should().Contain("&lt;script&gt;alert('x')&lt;/script&gt;");
        dom.Should().Contain($"{_fixture.Dictionary.Concepts.Count} of {_fixture.Dictionary.Concepts.Count} concepts shown");
    }

    [SkippableFact]
    public void SearchBoxFiltersTheIndexAndTheConceptSections()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium is null, HeadlessChromium.MissingMessage);
        var page = Path.Combine(_fixture.Root, "report.html");
        ConceptReport.Save(_fixture.Inputs(withAudio: false), page);
        var query = _fixture.Dictionary.Concepts[1].Name;
        var words = query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = _fixture.Dictionary.Concepts.Count(c =>
        {
            var text = ConceptReport.SearchWords(string.Join(' ', [c.Name, .. c.CaptionsUsed, .. c.Top.Select(t => _fixture.CaptionOf(t.ClipId))]));
            return words.All(w => text.Contains(' ' + w, StringComparison.Ordinal));
        });
        expected.Should().BeInRange(1, _fixture.Dictionary.Concepts.Count - 1, "the query must filter something out");

        var dom = HeadlessChromium.DumpDom(chromium!, new Uri(page).AbsoluteUri + "?q=" + Uri.EscapeDataString(query), 3000);

        dom.Should().Contain($"{expected} of {_fixture.Dictionary.Concepts.Count} concepts shown");
        Regex.Matches(dom, "<tr data-concept=\"[^\"]+\" data-search=\"[^\"]*\" hidden=\"\"").Should().HaveCount(_fixture.Dictionary.Concepts.Count - expected);
        Regex.Matches(dom, "<article class=\"concept\"[^>]*hidden=\"\"").Should().HaveCount(_fixture.Dictionary.Concepts.Count - expected);
        dom.Should().Contain($"id=\"concept-{_fixture.Dictionary.Concepts[1].Latent}\" aria-labelledby=\"concept-{_fixture.Dictionary.Concepts[1].Latent}-name\">");
    }

    [SkippableFact]
    public void ScreenshotIsARenderedPngOfTheRequestedSize()
    {
        var chromium = HeadlessChromium.Find();
        Skip.If(chromium is null, HeadlessChromium.MissingMessage);
        var page = Path.Combine(_fixture.Root, "report.html");
        ConceptReport.Save(_fixture.Inputs(withAudio: false), page);
        var png = Path.Combine(_fixture.Root, "report.png");

        HeadlessChromium.Screenshot(chromium!, new Uri(page).AbsoluteUri, png, 1280, 900);

        var bytes = File.ReadAllBytes(png);
        bytes.AsSpan(0, 8).ToArray().Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)).Should().Be(1280);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)).Should().Be(900);
        bytes.Length.Should().BeGreaterThan(20_000, "a page with text, tables and charts does not compress to a blank image");
    }
}
