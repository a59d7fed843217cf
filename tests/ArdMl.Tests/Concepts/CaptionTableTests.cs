using ArdMl.Concepts;
using ArdMl.Evaluation;

namespace ArdMl.Tests.Concepts;

public sealed class CaptionTableTests
{
    private static CaptionTable Read(string csv, IEnumerable<string>? corpus = null) =>
        CaptionTable.ReadCsv(new StringReader(csv), "captions.csv", corpus);

    [Fact]
    public void Reads_rfc4180_quoting_multiline_fields_and_crlf()
    {
        var table = Read(
            "clip,text\r\n" +
            "a,\"A dog barks, then stops\"\r\n" +
            "b,\"She said \"\"hello\"\"\"\r\n" +
            "c,\"line one\nline two\"\n" +
            "a,a second caption\n" +
            "d,\"\"\n" +
            "\n" +
            "e,plain text with \"inner\" quotes\n");
        table.TextsOf("a").Should().Equal("A dog barks, then stops", "a second caption");
        table.TextsOf("b").Should().Equal("She said \"hello\"");
        table.TextsOf("c").Should().Equal("line one\nline two");
        table.TextsOf("e").Should().Equal("plain text with \"inner\" quotes");
        table.TextsOf("d").Should().BeEmpty();
        table.EmptyTextRows.Should().Be(1);
        table.RowCount.Should().Be(5);
        table.ClipIds.Should().Equal("a", "b", "c", "e");
    }

    [Fact]
    public void Reports_unknown_clips_and_clips_without_text_without_failing()
    {
        var table = Read("Clip,Text\nx,caption of x\nghost,caption of a clip not in the corpus\n", ["x", "y", "z"]);
        table.TextsOf("x").Should().ContainSingle();
        table.TextsOf("ghost").Should().BeEmpty();
        table.UnknownClipIds.Should().Equal("ghost");
        table.ClipsWithoutText.Should().Equal("y", "z");
    }

    [Fact]
    public void Duplicate_corpus_clip_ids_are_a_named_error()
    {
        var act = () => Read("clip,text\nx,a\n", ["x", "y", "x"]);
        act.Should().Throw<DuplicateClipIdException>().Which.ClipId.Should().Be("x");
    }

    [Theory]
    [InlineData("", "line 1", "empty")]
    [InlineData("id,caption\nx,a\n", "line 1", "header")]
    [InlineData("clip,text\nx,a\ny,b,c\n", "line 3", "2 fields")]
    [InlineData("clip,text\nx,a\ny,\"never closed\n\n", "line 3", "not closed")]
    [InlineData("clip,text\nx,\"quoted\"junk\n", "line 2", "after a closing quote")]
    [InlineData("clip,text\nx,a\n ,b\n", "line 3", "clip id is empty")]
    public void Malformed_files_name_the_line_and_the_problem(string csv, string line, string problem)
    {
        var act = () => Read(csv);
        act.Should().Throw<ClipTextFileException>().WithMessage($"captions.csv, {line}:*{problem}*");
    }

    [Fact]
    public void Read_as_labels_a_text_splits_at_semicolons_as_the_benchmark_reads_it()
    {
        const string csv = "clip,text\nx,Dog; Bark;;Dog\ny,\"Speech, male\"\nz,\"a caption; with a pause\"\n";
        var asLabels = CaptionCorpus.Create(Read(csv), CaptionKind.Labels).Table;
        var benchmark = ClipLabelSet.ReadCsv(new StringReader(csv), "labels.csv");
        foreach (var clip in new[] { "x", "y", "z" })
        {
            asLabels.TextsOf(clip).Should().BeEquivalentTo(benchmark.LabelsOf(clip), $"clip {clip} has the same labels for naming and for evaluation");
        }

        asLabels.TextsOf("x").Should().Equal("Dog", "Bark");
        CaptionCorpus.Create(Read(csv), CaptionKind.Captions).Table.TextsOf("z").Should().Equal("a caption; with a pause");
    }

    [Fact]
    public void Reads_a_file_with_a_byte_order_mark()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ardml-captions-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "clip,text\nx,\"caf\u00e9, bells\"\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            CaptionTable.ReadCsv(path).TextsOf("x").Should().Equal("caf\u00e9, bells");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
