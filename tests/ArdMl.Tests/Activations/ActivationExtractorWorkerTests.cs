using System.Security.Cryptography;
using ArdMl.Activations;

namespace ArdMl.Tests.Activations;

/// <summary>
/// Shards written from the extractor stay byte-identical: to the figures recorded before the extractor was split by
/// responsibility, and for every worker count.
/// </summary>
public sealed partial class ActivationExtractorTests
{
    /// <summary>
    /// SHA-256 of the shard files each front end gives (generated models, fixed clips). The window and Whisper figures
    /// were recorded before the extractor was split and still hold. The recurrent one is of 64-byte aligned inputs:
    /// before, ONNX Runtime's ReduceSum gave results differing in the last bit with the input buffer's address, so
    /// that model's bytes changed from run to run.
    /// </summary>
    public static TheoryData<string, string> ReferenceShardHashes => new()
    {
        { "windows", "2304ecd16cf831f7a21af4908e6944eef6747937b334a99d5c377a0e404c0088" },
        { "recurrent", "f62969d0fd27b5f3847c7dc87ff0ff7d2f54dc096a1c33f07a9aab24d5465d50" },
        { "whisper", "ad48a9f3f1d9cb46d18ddccb9acee206319e9f13e9d9a52f8290c49a6b9fe920" },
    };

    /// <summary>The front ends whose shards are compared across worker counts.</summary>
    public static TheoryData<string> FrontEnds => new() { "windows", "recurrent", "whisper" };

    [Theory]
    [MemberData(nameof(ReferenceShardHashes))]
    public void ShardsAreByteIdenticalToTheRecordedReference(string frontEnd, string expected)
    {
        var actual = ShardHash(frontEnd, workers: 1);
        actual.Should().Be(expected, $"the {frontEnd} front end must write the same bytes as before (this run gave {actual})");
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public void ShardsAreByteIdenticalForAnyWorkerCount(string frontEnd)
    {
        var one = ShardHash(frontEnd, workers: 1);
        ShardHash(frontEnd, workers: 2).Should().Be(one, "two workers must write the bytes one worker writes");
        ShardHash(frontEnd, workers: 3).Should().Be(one, "three workers must write the bytes one worker writes");
    }

    [Fact]
    public void BadClipsAmongGoodOnesAreSkippedOrReportedInOrderWithWorkers()
    {
        File.WriteAllBytes(Path.Combine(_folder, "log.onnx"), TinyOnnxModels.LogModel());
        var description = ModelDescription.Parse(
            DescriptionJson("log.onnx", "windows", "\"input\": \"audio\", \"inputShape\": [-1, 4], \"windowSamples\": 4", "[]"), "log.json", _folder);
        var sources = Enumerable.Range(0, 40).ToList();
        AudioClip? Load(int i) => i % 7 == 3
            ? null
            : new AudioClip($"c{i:D2}", Enumerable.Range(0, 4 + (i % 9)).Select(j => i % 5 == 1 && j == 2 ? -1f : 0.1f + (0.01f * (i + j))).ToArray());

        List<ClipActivations> Extract(int workers)
        {
            using var extractor = ActivationExtractor.Create(description, ["logs"], new ActivationExtractorOptions { BatchSize = 3, Workers = workers, NonFinite = NonFiniteActivationPolicy.SkipClip });
            return [.. extractor.ExtractMany(sources, Load)];
        }

        var serial = Extract(1);
        serial.Select(r => r.ClipId).Should().Equal(sources.Where(i => i % 7 != 3).Select(i => $"c{i:D2}"), "unloadable clips are skipped, none lost");
        serial.Count(r => r.Status == ClipExtractionStatus.NonFinite).Should().Be(sources.Count(i => i % 7 != 3 && i % 5 == 1));
        foreach (var workers in new[] { 2, 3 })
        {
            var parallel = Extract(workers);
            parallel.Select(r => (r.ClipId, r.Status, r.Message)).Should().Equal(serial.Select(r => (r.ClipId, r.Status, r.Message)));
            foreach (var (a, b) in parallel.Zip(serial))
            {
                a.Taps[0].Data.Should().Equal(b.Taps[0].Data, $"clip {a.ClipId} with {workers} workers");
            }
        }

        using var strict = ActivationExtractor.Create(description, ["logs"], new ActivationExtractorOptions { BatchSize = 3, Workers = 3 });
        var first = () => strict.ExtractMany(sources, Load).ToList();
        first.Should().Throw<NonFiniteActivationException>().Which.ClipId.Should().Be("c01", "the first bad clip in corpus order stops the run");
    }

    private string ShardHash(string frontEnd, int workers)
    {
        var (description, tap, batch) = frontEnd switch
        {
            "windows" => (Windowed(tail: "pad", shortClip: "pad", hop: 4), "proj", 3),
            "recurrent" => (Recurrent(), "hN", 2),
            _ => (WhisperShaped(), "last_hidden_state", 2),
        };
        var clips = ReferenceClips(frontEnd == "whisper" ? 3 : 11, frontEnd == "whisper" ? 9000 : 29);
        using var extractor = ActivationExtractor.Create(description, [tap], new ActivationExtractorOptions { BatchSize = batch, Workers = workers });
        var folder = Path.Combine(_folder, $"{frontEnd}-{workers}");
        using (var writer = ActivationShardWriter.Open(folder, new ActivationShardManifest { Width = extractor.WidthOf(tap), Model = "tiny", Tap = tap }))
        {
            foreach (var result in extractor.ExtractMany(clips))
            {
                writer.Write(result.ClipId, result.Taps[0].Data, result.Taps[0].FrameCount);
            }
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static List<AudioClip> ReferenceClips(int count, int longest)
    {
        var random = new Random(11);
        return [.. Enumerable.Range(0, count).Select(i => new AudioClip(
            $"clip-{i:D2}",
            Enumerable.Range(0, 1 + ((i * 7919) % longest)).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()))];
    }

    private ModelDescription WhisperShaped()
    {
        File.WriteAllBytes(Path.Combine(_folder, "whisper.onnx"), TinyOnnxModels.WhisperShapedEncoder());
        return ModelDescription.Parse(
            DescriptionJson("whisper.onnx", "whisperLogMel", "\"input\": \"input_features\", \"inputShape\": [-1, 80, 3000], \"melBins\": 80, \"windowFrames\": 3000, \"tail\": \"pad\", \"shortClip\": \"pad\"",
                "[ { \"match\": \"last_hidden_state\", \"batchAxis\": 0, \"timeAxis\": 1 } ]"),
            "whisper.json",
            _folder);
    }
}
