using ArdMl.Activations;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Activations;

/// <summary>`ard extract` end to end: shards written, resumed, bad clips skipped and reported.</summary>
public sealed class ExtractCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-extract-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void ExtractWritesShardsResumesAndReportsBadClips()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var audio = Path.Combine(_folder, "audio");
        Directory.CreateDirectory(Path.Combine(audio, "speech"));
        foreach (var clip in SharedModelFixture.SpeechClips(3))
        {
            File.Copy(clip, Path.Combine(audio, "speech", Path.GetFileName(clip)));
        }

        File.WriteAllBytes(Path.Combine(audio, "broken.wav"), [82, 73, 70, 70, 1, 2, 3]);
        var output = Path.Combine(_folder, "out");
        var description = SharedModelFixture.DescriptionPath("silero-vad.json");

        var first = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--windows-per-run", "2", "--dtype", "Float16");
        first.ExitCode.Should().Be(0, first.Output);
        first.Output.Should().Contain("broken.wav").And.Contain("skipped 1");
        var reader = ActivationShardReader.Open(output);
        reader.ClipCount.Should().Be(3);
        reader.Manifest.Tap.Should().Be("stateN");
        reader.Manifest.DataType.Should().Be(ActivationShardDataType.Float16);
        reader.ReadClips().Select(c => c.ClipId).Should().OnlyContain(id => id.StartsWith("speech/", StringComparison.Ordinal));

        File.Copy(SharedModelFixture.SpeechClips(4)[3], Path.Combine(audio, "speech", "late.wav"));
        var second = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--dtype", "Float16");
        second.ExitCode.Should().Be(0, second.Output);
        second.Output.Should().Contain("3 already done");
        ActivationShardReader.Open(output).ClipCount.Should().Be(4);

        var unknown = RunArd("extract", "-d", description, "--tap", "stateM", "--audio", audio, "--out", Path.Combine(_folder, "other"));
        unknown.ExitCode.Should().Be(1);
        unknown.Output.Should().Contain("'stateN'");
    }

    [SkippableFact]
    public void ShardsSplitIntoPartsReadBackAsOneSet()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var audio = Path.Combine(_folder, "audio");
        Directory.CreateDirectory(audio);
        foreach (var clip in SharedModelFixture.SpeechClips(5))
        {
            File.Copy(clip, Path.Combine(audio, Path.GetFileName(clip)));
        }

        var output = Path.Combine(_folder, "parts");
        foreach (var part in new[] { "0/2", "1/2" })
        {
            var run = RunArd("extract", "-d", SharedModelFixture.DescriptionPath("openwakeword.json"), "--audio", audio, "--out", output, "--shard", part);
            run.ExitCode.Should().Be(0, run.Output);
        }

        var reader = ActivationShardReader.Open(output);
        reader.Parts.Should().HaveCount(2);
        reader.ClipCount.Should().Be(5);
        reader.ReadClips().Select(c => c.ClipId).Order().Should().Equal(Directory.GetFiles(audio).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// Shards (index, data and manifest checksums) are byte-identical for 1, 2 and 3 workers, with an undecodable clip
    /// among the good ones: real Silero and openWakeWord models where ../shared is present, the committed demo model
    /// over generated clips otherwise.
    /// </summary>
    [Fact]
    public void ShardsAreIdenticalForAnyWorkerCount()
    {
        var audio = Path.Combine(_folder, "audio");
        Directory.CreateDirectory(audio);
        string[] descriptions;
        if (SharedModelFixture.Missing)
        {
            ArdMl.Demo.DemoCorpusGenerator.Write(audio, new ArdMl.Demo.DemoCorpusOptions { ClipCount = 12, Seed = 3 });
            descriptions = [Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", "demo-sound-events.json")];
        }
        else
        {
            foreach (var clip in SharedModelFixture.SpeechClips(9))
            {
                File.Copy(clip, Path.Combine(audio, Path.GetFileName(clip)));
            }

            descriptions = [SharedModelFixture.DescriptionPath("silero-vad.json"), SharedModelFixture.DescriptionPath("openwakeword.json")];
        }

        File.WriteAllBytes(Path.Combine(audio, "3_broken.wav"), [82, 73, 70, 70, 1, 2, 3]);
        foreach (var description in descriptions)
        {
            var shards = new List<(string Index, string Data, string? IndexSha256)>();
            foreach (var workers in new[] { "1", "2", "3" })
            {
                var output = Path.Combine(_folder, Path.GetFileNameWithoutExtension(description) + "-" + workers);
                var run = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--windows-per-run", "3", "--workers", workers);
                run.ExitCode.Should().Be(0, run.Output);
                run.Output.Should().Contain("skipped 1 clips").And.Contain("3_broken.wav");
                var reader = ActivationShardReader.Open(output);
                reader.ClipCount.Should().Be(Directory.GetFiles(audio).Length - 1, "every good clip is written, none lost");
                var data = string.Concat(Directory.GetFiles(output, "*.bin").Order(StringComparer.Ordinal).Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
                shards.Add((File.ReadAllText(Path.Combine(output, ActivationShardManifest.IndexFileName)), data, reader.Manifest.IndexSha256));
            }

            shards.Should().AllSatisfy(s => s.Should().Be(shards[0], $"{Path.GetFileName(description)}: shards must not depend on the worker count"));
        }
    }

    [SkippableTheory]
    [InlineData("arrow", ActivationShardFormat.Arrow)]
    [InlineData("parquet", ActivationShardFormat.Parquet)]
    public void ExtractWritesArrowAndParquetPartsAndResumes(string option, ActivationShardFormat format)
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var audio = Path.Combine(_folder, "audio");
        Directory.CreateDirectory(audio);
        foreach (var clip in SharedModelFixture.SpeechClips(5))
        {
            File.Copy(clip, Path.Combine(audio, Path.GetFileName(clip)));
        }

        var description = SharedModelFixture.DescriptionPath("silero-vad.json");
        var output = Path.Combine(_folder, option);
        foreach (var part in new[] { "0/2", "1/2" })
        {
            var run = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--shard", part, "--format", option);
            run.ExitCode.Should().Be(0, run.Output);
        }

        var native = Path.Combine(_folder, "native");
        RunArd("extract", "-d", description, "--audio", audio, "--out", native).ExitCode.Should().Be(0);
        var reader = ActivationShardReader.Open(output);
        reader.Format.Should().Be(format);
        reader.Parts.Should().HaveCount(2);
        reader.Manifest.Tap.Should().Be("stateN");
        var expected = ActivationShardReader.Open(native).ReadClips().ToDictionary(c => c.ClipId);
        var read = reader.ReadClips().ToList();
        read.Select(c => c.ClipId).Order().Should().Equal(expected.Keys.Order());
        read.Should().OnlyContain(c => c.Data.SequenceEqual(expected[c.ClipId].Data), "every layout holds the same values");

        var again = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--shard", "0/2", "--format", option);
        again.ExitCode.Should().Be(0, again.Output);
        again.Output.Should().Contain("3 already done");
        var mixed = RunArd("extract", "-d", description, "--audio", audio, "--out", output, "--shard", "0/2");
        mixed.ExitCode.Should().Be(1);
        mixed.Output.Should().Contain($"holds {format} activations");
    }

    private static (int ExitCode, string Output) RunArd(params string[] arguments)
    {
        var outcome = ArdProcess.Run(null, new Dictionary<string, string?> { ["ARDML_MODELS"] = SharedModelFixture.ModelsRoot }, arguments);
        return (outcome.ExitCode, outcome.All);
    }
}
