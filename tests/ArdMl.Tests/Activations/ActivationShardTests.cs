using System.Text;
using ArdMl.Activations;

namespace ArdMl.Tests.Activations;

public sealed class ActivationShardTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ardml-shards-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(ActivationShardDataType.Float32)]
    [InlineData(ActivationShardDataType.Float16)]
    public void RoundTripIsExactForTheStoredPrecision(ActivationShardDataType type)
    {
        var clips = MakeClips(12, width: 5);
        using (var writer = ActivationShardWriter.Open(_folder, Header(5, type), maxShardBytes: 100))
        {
            foreach (var (id, data, tokens) in clips)
            {
                writer.Write(id, data, tokens, new Dictionary<string, string> { ["source"] = id + ".wav" });
            }
        }

        Directory.GetFiles(_folder, "shard-*.bin").Length.Should().BeGreaterThan(1, "a small size limit rolls over to new shard files");
        var reader = ActivationShardReader.Open(_folder);
        reader.ClipCount.Should().Be(12);
        reader.TokenCount.Should().Be(clips.Sum(c => c.Tokens));
        var read = reader.ReadClips().ToList();
        read.Select(c => c.ClipId).Should().Equal(clips.Select(c => c.Id));
        for (var i = 0; i < clips.Count; i++)
        {
            read[i].Tokens.Should().Be(clips[i].Tokens);
            read[i].Width.Should().Be(5);
            read[i].Metadata["source"].Should().Be(clips[i].Id + ".wav");
            var expected = type == ActivationShardDataType.Float32 ? clips[i].Data : clips[i].Data.Select(v => (float)(Half)v).ToArray();
            read[i].Data.Should().Equal(expected);
        }
    }

    [Fact]
    public void ResumingSkipsWrittenClipsAndDropsATornWrite()
    {
        var clips = MakeClips(6, width: 3);
        using (var writer = ActivationShardWriter.Open(_folder, Header(3)))
        {
            foreach (var (id, data, tokens) in clips.Take(4))
            {
                writer.Write(id, data, tokens);
            }
        }

        // Simulate a crash during the fifth clip: shard bytes written, index line torn.
        File.AppendAllText(Path.Combine(_folder, "index.jsonl"), "{\"clip\":\"c4\",\"sha");
        using (var shard = new FileStream(Path.Combine(_folder, "shard-00000.bin"), FileMode.Append))
        {
            shard.Write(new byte[36]);
        }

        using (var writer = ActivationShardWriter.Open(_folder, Header(3)))
        {
            writer.ClipCount.Should().Be(4);
            writer.Contains("c3").Should().BeTrue();
            writer.Contains("c4").Should().BeFalse();
            foreach (var (id, data, tokens) in clips.Skip(4))
            {
                writer.Write(id, data, tokens);
            }
        }

        var read = ActivationShardReader.Open(_folder).ReadClips().ToList();
        read.Select(c => c.ClipId).Should().Equal(clips.Select(c => c.Id));
        read[5].Data.Should().Equal(clips[5].Data);
    }

    [Fact]
    public void ACorruptShardByteIsNamedAndNoValuesAreReturnedForThatClip()
    {
        WriteSample(4);
        var shard = Path.Combine(_folder, "shard-00000.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(shard, bytes);

        var reader = ActivationShardReader.Open(_folder);
        var seen = new List<string>();
        var act = () =>
        {
            foreach (var clip in reader.ReadClips())
            {
                seen.Add(clip.ClipId);
            }
        };
        act.Should().Throw<ActivationShardException>().WithMessage("*clip 'c3'*SHA-256*corrupt*").Which.FileName.Should().Be(shard);
        seen.Should().Equal("c0", "c1", "c2");
    }

    [Fact]
    public void AChangedIndexIsDetectedOnOpen()
    {
        WriteSample(3);
        var index = Path.Combine(_folder, "index.jsonl");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"tokens\":2", "\"tokens\":1", StringComparison.Ordinal));
        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*index SHA-256*does not match*");
    }

    [Fact]
    public void AMalformedIndexLineIsNamedWithItsLineNumber()
    {
        WriteSample(3);
        var index = Path.Combine(_folder, "index.jsonl");
        var lines = File.ReadAllLines(index);
        lines[1] = "{not json";
        File.WriteAllText(index, string.Join("\n", lines) + "\n");
        var act = () => ActivationShardReader.Open(_folder, allowIncomplete: true).ReadClips().ToList();
        MarkIncomplete();
        act.Should().Throw<ActivationShardException>().WithMessage("*line 2 is not valid JSON*");
    }

    [Fact]
    public void ATruncatedShardIsDetectedOnOpen()
    {
        WriteSample(3);
        var shard = Path.Combine(_folder, "shard-00000.bin");
        using (var stream = new FileStream(shard, FileMode.Open))
        {
            stream.SetLength(stream.Length - 4);
        }

        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*truncated*");
    }

    [Fact]
    public void AnIncompleteFolderIsRefusedUnlessAllowed()
    {
        WriteSample(2);
        MarkIncomplete();
        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*did not complete*");
        ActivationShardReader.Open(_folder, allowIncomplete: true).ReadClips().Should().HaveCount(2);
    }

    [Fact]
    public void ResumingWithAnotherTapOrWidthIsRefused()
    {
        WriteSample(1);
        var act = () => ActivationShardWriter.Open(_folder, Header(3)).Dispose();
        act.Should().NotThrow();
        var other = () => ActivationShardWriter.Open(_folder, new ActivationShardManifest { Width = 4, Model = "m", Tap = "t" });
        other.Should().Throw<ActivationShardException>().WithMessage("*cannot resume*");
    }

    [Fact]
    public void DuplicateClipsAndWrongSizesAreRejected()
    {
        using var writer = ActivationShardWriter.Open(_folder, Header(3));
        writer.Write("a", new float[6], 2);
        var duplicate = () => writer.Write("a", new float[3], 1);
        duplicate.Should().Throw<ArgumentException>().WithMessage("*already*");
        var wrong = () => writer.Write("b", new float[5], 2);
        wrong.Should().Throw<ArgumentException>().WithMessage("*not 2 tokens*");
    }

    [Fact]
    public void PartFoldersAreReadInNameOrderAndMustAgree()
    {
        foreach (var part in new[] { "part-1-of-2", "part-2-of-2" })
        {
            using var writer = ActivationShardWriter.Open(Path.Combine(_folder, part), Header(2));
            writer.Write(part + "-x", new float[] { 1, 2, 3, 4 }, 2);
        }

        var reader = ActivationShardReader.Open(_folder);
        reader.Parts.Should().HaveCount(2);
        reader.ReadClips().Select(c => c.ClipId).Should().Equal("part-1-of-2-x", "part-2-of-2-x");

        using (var writer = ActivationShardWriter.Open(Path.Combine(_folder, "part-3-of-3"), new ActivationShardManifest { Width = 5, Model = "m", Tap = "t" }))
        {
            writer.Write("z", new float[5], 1);
        }

        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*part holds*");
    }

    private static ActivationShardManifest Header(int width, ActivationShardDataType type = ActivationShardDataType.Float32) =>
        new() { Width = width, DataType = type, Model = "m", Tap = "t", SampleRate = 16000 };

    private static List<(string Id, float[] Data, int Tokens)> MakeClips(int count, int width)
    {
        var random = new Random(count * 31 + width);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var tokens = i % 4;
            var data = Enumerable.Range(0, tokens * width).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
            return ($"c{i}", data, tokens);
        })];
    }

    private void WriteSample(int count)
    {
        using var writer = ActivationShardWriter.Open(_folder, Header(3));
        for (var i = 0; i < count; i++)
        {
            writer.Write($"c{i}", Enumerable.Range(0, 6).Select(v => (float)(v + i)).ToArray(), 2);
        }
    }

    private void MarkIncomplete()
    {
        var manifest = Path.Combine(_folder, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest, Encoding.UTF8).Replace("\"complete\": true", "\"complete\": false", StringComparison.Ordinal));
    }
}
