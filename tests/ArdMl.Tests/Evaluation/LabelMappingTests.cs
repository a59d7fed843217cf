using ArdMl.Concepts;
using ArdMl.Evaluation;

namespace ArdMl.Tests.Evaluation;

public sealed class LabelMappingTests
{
    [Theory]
    [InlineData("Male_speech_and_man_speaking", "male speech and man speaking")]
    [InlineData("  Dogs,   barking!! ", "dog barking")]
    [InlineData("Glasses", "glass")]
    [InlineData("Babies crying", "baby crying")]
    [InlineData("Bus", "bus")]
    [InlineData("Gas", "gas")]
    [InlineData("Church bells", "church bell")]
    [InlineData("Boxes", "box")]
    [InlineData("Walk, footsteps", "walk footstep")]
    public void NormalizerLowersCollapsesAndSingularises(string text, string expected) =>
        LabelTextNormalizer.Normalize(text).Should().Be(expected);

    [Fact]
    public void NormalisedMatchFindsLabelsAndReportsUnmapped()
    {
        var mapper = new ConceptLabelMapper(["Dog", "Male_speech", "Church_bell", "Walk,_footsteps"]);
        var matches = mapper.Map(["dogs", "male speech", "Church bells", "telephone", "walk footsteps"]);
        matches.Select(m => m.Label).Should().Equal("Dog", "Male_speech", "Church_bell", null, "Walk,_footsteps");
        matches[3].Kind.Should().Be(LabelMatchKind.Unmapped);
        matches[0].Kind.Should().Be(LabelMatchKind.Normalized);
    }

    [Fact]
    public void EmbedderMatchesAboveTheThresholdOnly()
    {
        var embedder = new TableEmbedder(new Dictionary<string, float[]>
        {
            ["Dog"] = [1, 0, 0],
            ["Telephone"] = [0, 1, 0],
            ["puppy"] = [0.9f, 0.1f, 0],           // cosine with Dog 0.9939
            ["ringing phone"] = [0.1f, 0.7f, 0.7f], // cosine with Telephone 0.7036: below 0.8
        });
        var mapper = new ConceptLabelMapper(["Telephone", "Dog"], embedder);
        var matches = mapper.Map(["puppy", "ringing phone", "dog"]);
        matches[0].Should().Be(new ConceptLabelMatch("puppy", "Dog", LabelMatchKind.Embedding, matches[0].Similarity));
        matches[0].Similarity.Should().BeApproximately(0.9 / Math.Sqrt(0.82), 1e-6);
        matches[1].Label.Should().BeNull();
        matches[1].Similarity.Should().BeApproximately(0.7 / Math.Sqrt(0.99), 1e-6);
        matches[2].Kind.Should().Be(LabelMatchKind.Normalized);
        new ConceptLabelMapper(["Telephone", "Dog"], embedder, 0.7).Map(["ringing phone"])[0].Label.Should().Be("Telephone");
    }

    [Fact]
    public void LabelCsvSplitsSemicolonsAndMergesRows()
    {
        var csv = "\uFEFFclip,text\r\na.wav,Dog; Bark ;Animal\nb.wav,\"Speech, male;Speech\"\na.wav,Pet\nc.wav,\n\n";
        var labels = ClipLabelSet.ReadCsv(new StringReader(csv), "labels.csv");
        labels.ClipIds.Should().Equal("a.wav", "b.wav", "c.wav");
        labels.LabelsOf("a.wav").Should().BeEquivalentTo(["Dog", "Bark", "Animal", "Pet"]);
        labels.LabelsOf("b.wav").Should().BeEquivalentTo(["Speech, male", "Speech"]);
        labels.LabelsOf("c.wav").Should().BeEmpty();
        labels.Vocabulary.Should().Equal("Animal", "Bark", "Dog", "Pet", "Speech", "Speech, male");
    }

    [Fact]
    public void LabelCsvErrorsNameFileAndLine()
    {
        FluentActions.Invoking(() => ClipLabelSet.ReadCsv(new StringReader("path,labels\nx,y\n"), "l.csv"))
            .Should().Throw<ClipTextFileException>().WithMessage("l.csv, line 1: expected the header row 'clip,text'*");
        FluentActions.Invoking(() => ClipLabelSet.ReadCsv(new StringReader("clip,text\nx,y\nz,a,b\n"), "l.csv"))
            .Should().Throw<ClipTextFileException>().WithMessage("l.csv, line 3: expected 2 fields*");
        FluentActions.Invoking(() => ClipLabelSet.ReadCsv(new StringReader("clip,text\nx,\"open\n"), "l.csv"))
            .Should().Throw<ClipTextFileException>().WithMessage("l.csv, line 2: a quoted field is not closed*");
    }

    private sealed class TableEmbedder(Dictionary<string, float[]> vectors) : ITextEmbedder
    {
        public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts) => [.. texts.Select(t => vectors[t])];
    }
}
