using ArdMl.Activations;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Activations;

public sealed class SharedModelExtractionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-shared-extract-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableTheory]
    [InlineData("silero-vad.json", 256)]
    [InlineData("openwakeword.json", 384)]
    [InlineData("dnsmos.json", 128)]
    [InlineData("basic-pitch.json", 32 * 88)]
    public void DefaultTapHasTheDocumentedWidthAndIsDeterministic(string description, int width)
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var desc = SharedModelFixture.Description(description);
        var clip = SharedModelFixture.Load(SharedModelFixture.SpeechClips(1)[0]);
        ClipActivations first;
        using (var extractor = ActivationExtractor.Create(desc, options: SharedModelFixture.Options(inputRate: 16000)))
        {
            extractor.WidthOf(desc.DefaultTaps[0]).Should().Be(width);
            first = extractor.ExtractClip(clip);
        }

        using var again = ActivationExtractor.Create(desc, options: SharedModelFixture.Options(inputRate: 16000));
        var second = again.ExtractClip(clip);
        first.Status.Should().Be(ClipExtractionStatus.Ok, first.Message);
        first.Taps[0].Width.Should().Be(width);
        first.Taps[0].FrameCount.Should().BeGreaterThan(0);
        first.Taps[0].Data.Should().Equal(second.Taps[0].Data, "a fresh extractor gives identical activations");
        first.Taps[0].Data.Should().OnlyContain(v => float.IsFinite(v));
    }

    [SkippableFact]
    public void SileroGivesOneStateFramePerChunkAndSeveralTapsAtOnce()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        string[] taps = ["stateN", "/model/encoder/3/activation/Relu_output_0", "/model/stft/Conv_output_0"];
        using var extractor = ActivationExtractor.Create(SharedModelFixture.Description("silero-vad.json"), taps, SharedModelFixture.Options());
        extractor.WidthOf(taps[1]).Should().Be(128);
        extractor.WidthOf(taps[2]).Should().Be(258);
        var clip = SharedModelFixture.Load(SharedModelFixture.SpeechClips(1)[0]);
        var result = extractor.ExtractClip(clip);
        var chunks = (clip.Samples.Length + 511) / 512;
        result["stateN"].FrameCount.Should().Be(chunks, "one state per 512-sample chunk, the tail padded");
        result[taps[1]].FrameCount.Should().Be(chunks);
        result[taps[2]].FrameCount.Should().BeInRange((chunks - 1) * 4, chunks * 4, "the STFT conv gives 4 frames per chunk");
    }

    [SkippableTheory]
    [InlineData("openwakeword.json")]
    [InlineData("silero-vad.json")]
    public void SpeechAndNonSpeechClipsAreSeparableByMeanActivation(string description)
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        using var extractor = ActivationExtractor.Create(SharedModelFixture.Description(description), options: SharedModelFixture.Options(batch: 8));
        var speech = SharedModelFixture.SpeechClips(2000).Where((_, i) => i % 125 == 7).Select(p => SharedModelFixture.Load(p)).ToList();
        var other = SharedModelFixture.NonSpeechClips(160).Where((_, i) => i % 10 == 3).Select(p => SharedModelFixture.Load(p)).ToList();
        var means = extractor.ExtractBatch([.. speech, .. other])
            .Select(r => r.Status == ClipExtractionStatus.Ok ? Mean(r.Taps[0]) : null)
            .ToList();
        var labelled = means.Select((m, i) => (Mean: m, Speech: i < speech.Count)).Where(x => x.Mean is not null).ToList();
        labelled.Count(x => x.Speech).Should().BeGreaterThan(5);
        labelled.Count(x => !x.Speech).Should().BeGreaterThan(5);

        // Leave-one-out nearest centroid on clip-mean activations.
        var correct = 0;
        for (var i = 0; i < labelled.Count; i++)
        {
            var rest = labelled.Where((_, j) => j != i).ToList();
            var speechCentroid = Centroid(rest.Where(x => x.Speech).Select(x => x.Mean!));
            var otherCentroid = Centroid(rest.Where(x => !x.Speech).Select(x => x.Mean!));
            var predicted = Distance(labelled[i].Mean!, speechCentroid) < Distance(labelled[i].Mean!, otherCentroid);
            correct += predicted == labelled[i].Speech ? 1 : 0;
        }

        Console.WriteLine($"{description}: {correct} of {labelled.Count} clips nearest to their own centroid");
        ((double)correct / labelled.Count).Should().BeGreaterThanOrEqualTo(0.75, "well above the 50 % of chance: speech (FSDD) and instrument samples (sonic-pi) activate the model differently");
    }

    [SkippableFact]
    public void DnsmosAndBasicPitchAcceptTheirDeclaredWindows()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var flac = SharedModelFixture.NonSpeechClips(3)[2];
        using (var dnsmos = ActivationExtractor.Create(SharedModelFixture.Description("dnsmos.json"), ["mos_estimator_logpow/conv2d_6/Relu:0", "Identity:0"], SharedModelFixture.Options()))
        {
            var result = dnsmos.ExtractClip(SharedModelFixture.Load(flac, maxSeconds: 2));
            result["Identity:0"].FrameCount.Should().Be(1, "a short clip is looped into one 9.01 s window");
            result["Identity:0"].Width.Should().Be(3);
            result["mos_estimator_logpow/conv2d_6/Relu:0"].Width.Should().Be(64 * 20);
            result["mos_estimator_logpow/conv2d_6/Relu:0"].FrameCount.Should().Be(112);
        }

        using var pitch = ActivationExtractor.Create(SharedModelFixture.Description("basic-pitch.json"), ["StatefulPartitionedCall:1", "Relu__42:0"], SharedModelFixture.Options());
        pitch.InputSampleRate.Should().Be(22050, "Basic Pitch declares the rate the loader must use");
        var samples = SharedModelFixture.Load(flac, rate: 22050, maxSeconds: 3);
        var notes = pitch.ExtractClip(samples);
        notes["StatefulPartitionedCall:1"].Width.Should().Be(88);
        var expected = 172 + (int)Math.Ceiling(172.0 * (samples.Samples.Length - 36164) / 43844);
        notes["StatefulPartitionedCall:1"].FrameCount.Should().Be(expected, "a full 2 s window plus the real part of the padded second one");
    }

    [SkippableFact]
    public void BadRequestsOnRealModelsGiveNamedErrors()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var unknown = () => ActivationExtractor.Create(SharedModelFixture.Description("openwakeword.json"), ["model/leaky_re_lu_99/LeakyRelu:0"], SharedModelFixture.Options());
        unknown.Should().Throw<UnknownTapException>().Which.Nearest.Should().Contain(n => n.StartsWith("model/leaky_re_lu_", StringComparison.Ordinal));

        var json = File.ReadAllText(SharedModelFixture.DescriptionPath("dnsmos.json"))
            .Replace("[ -1, 144160 ]", "[ -1, 16000 ]", StringComparison.Ordinal)
            .Replace("\"windowSamples\": 144160", "\"windowSamples\": 16000", StringComparison.Ordinal);
        var wrongShape = ModelDescription.Parse(json, "dnsmos-wrong.json", Path.GetDirectoryName(SharedModelFixture.DescriptionPath("dnsmos.json"))!);
        var mismatch = () => ActivationExtractor.Create(wrongShape, options: SharedModelFixture.Options());
        var error = mismatch.Should().Throw<ModelInputMismatchException>().Which;
        error.Tensor.Should().Be("input_1");
        error.Actual.Should().Contain("144160");

        var missing = ModelDescription.Parse(json.Replace("dnsmos/sig_bak_ovr.onnx", "dnsmos/absent.onnx", StringComparison.Ordinal), "absent.json", _folder);
        var notFound = () => ActivationExtractor.Create(missing, options: SharedModelFixture.Options());
        notFound.Should().Throw<FileNotFoundException>().WithMessage("*absent.onnx*Tried*");
    }

    [SkippableFact]
    public void ShardsOfRealActivationsRoundTripAndDetectCorruption()
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        using var extractor = ActivationExtractor.Create(SharedModelFixture.Description("silero-vad.json"), options: SharedModelFixture.Options());
        var clips = SharedModelFixture.SpeechClips(200).Where((_, i) => i % 25 == 0).Select(p => SharedModelFixture.Load(p)).ToList();
        var results = extractor.ExtractBatch(clips);
        var header = new ActivationShardManifest { Width = extractor.WidthOf("stateN"), Model = extractor.Description.Name, Tap = "stateN", ModelSha256 = extractor.ModelSha256 };
        using (var writer = ActivationShardWriter.Open(_folder, header))
        {
            foreach (var r in results)
            {
                writer.Write(r.ClipId, r.Taps[0].Data, r.Taps[0].FrameCount);
            }
        }

        var read = ActivationShardReader.Open(_folder).ReadClips().ToList();
        read.Select(c => c.ClipId).Should().Equal(results.Select(r => r.ClipId));
        for (var i = 0; i < read.Count; i++)
        {
            read[i].Data.Should().Equal(results[i].Taps[0].Data);
            read[i].Tokens.Should().Be(results[i].Taps[0].FrameCount);
        }

        var shard = Path.Combine(_folder, "shard-00000.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(shard, bytes);
        var corrupt = () => ActivationShardReader.Open(_folder).ReadClips().ToList();
        corrupt.Should().Throw<ActivationShardException>().WithMessage("*SHA-256*corrupt*");
    }

    private static float[] Mean(TapActivations tap)
    {
        var mean = new float[tap.Width];
        for (var f = 0; f < tap.FrameCount; f++)
        {
            var frame = tap.Frame(f);
            for (var j = 0; j < mean.Length; j++)
            {
                mean[j] += frame[j] / tap.FrameCount;
            }
        }

        return mean;
    }

    private static float[] Centroid(IEnumerable<float[]> vectors)
    {
        var list = vectors.ToList();
        var centroid = new float[list[0].Length];
        foreach (var v in list)
        {
            for (var j = 0; j < centroid.Length; j++)
            {
                centroid[j] += v[j] / list.Count;
            }
        }

        return centroid;
    }

    private static double Distance(float[] a, float[] b)
    {
        // Cosine distance: clip loudness scales activations, the direction carries the content.
        double dot = 0, na = 0, nb = 0;
        for (var j = 0; j < a.Length; j++)
        {
            dot += a[j] * (double)b[j];
            na += a[j] * (double)a[j];
            nb += b[j] * (double)b[j];
        }

        return 1 - (dot / Math.Sqrt((na * nb) + 1e-30));
    }
}
