using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Benchmarks.Extraction;

namespace ArdMl.Tests.Activations;

public sealed partial class ActivationExtractorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-extract-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WindowsGiveFramesAlongTheDeclaredTimeAxisInOrder()
    {
        using var extractor = ActivationExtractor.Create(Windowed(), ["proj", "frames", "score"], new ActivationExtractorOptions { BatchSize = 3 });
        extractor.WidthOf("proj").Should().Be(3);
        extractor.WidthOf("frames").Should().Be(2);
        extractor.WidthOf("score").Should().Be(1);

        var samples = Ramp(20);
        var result = extractor.ExtractClip(new AudioClip("ramp", samples));
        result.Status.Should().Be(ClipExtractionStatus.Ok);
        var frames = result["frames"];
        frames.FrameCount.Should().Be(8, "two complete 8-sample windows of 4 frames each; the 4-sample tail is dropped");
        frames.Data.Should().Equal(samples.Take(16), "the Reshape is an identity on the samples");

        var proj = result["proj"];
        proj.FrameCount.Should().Be(8);
        var w = TinyOnnxModels.WindowedWeights;
        for (var t = 0; t < 8; t++)
        {
            for (var j = 0; j < 3; j++)
            {
                var expected = (samples[2 * t] * w[0, j]) + (samples[(2 * t) + 1] * w[1, j]);
                proj.Frame(t)[j].Should().BeApproximately(expected, 1e-5f);
            }
        }

        result["score"].FrameCount.Should().Be(2, "a tap without a time axis gives one frame per window");
    }

    [Fact]
    public void APaddedTailKeepsOnlyFramesOfRealSamples()
    {
        using var extractor = ActivationExtractor.Create(Windowed(tail: "pad"), ["frames"]);
        var result = extractor.ExtractClip(new AudioClip("ramp", Ramp(20)));
        result["frames"].FrameCount.Should().Be(10, "the third window holds 4 real samples of 8, so it keeps ceil(4 × 4 / 8) = 2 frames");
        result["frames"].Data.Should().Equal(Ramp(20));
    }

    [Fact]
    public void OverlappingWindowsFollowTheHop()
    {
        using var extractor = ActivationExtractor.Create(Windowed(hop: 4), ["frames"]);
        var result = extractor.ExtractClip(new AudioClip("ramp", Ramp(16)));
        result["frames"].FrameCount.Should().Be(12, "windows start at 0, 4 and 8");
        result["frames"].Data.Skip(8).Take(8).Should().Equal(Ramp(16).Skip(4).Take(8));
    }

    [Theory]
    [InlineData("empty", 0)]
    [InlineData("pad", 2)]
    [InlineData("loop", 4)]
    public void ShortClipsFollowTheirPolicy(string policy, int frames)
    {
        using var extractor = ActivationExtractor.Create(Windowed(shortClip: policy), ["frames"]);
        var result = extractor.ExtractClip(new AudioClip("short", new float[] { 0.1f, 0.2f, 0.3f }));
        result["frames"].FrameCount.Should().Be(frames);
        if (policy == "empty")
        {
            result.Status.Should().Be(ClipExtractionStatus.Empty);
            result.Message.Should().Contain("shorter than one window");
        }

        if (policy == "loop")
        {
            result["frames"].Data.Should().Equal(0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f, 0.1f, 0.2f);
        }
    }

    [Fact]
    public void BatchingAcrossClipsDoesNotChangeResultsOrOrder()
    {
        var random = new Random(3);
        var clips = Enumerable.Range(0, 7).Select(i => new AudioClip($"c{i}", Enumerable.Range(0, 5 + (i * 6)).Select(_ => (float)random.NextDouble()).ToArray())).ToList();
        using var one = ActivationExtractor.Create(Windowed(tail: "pad"), ["proj"], new ActivationExtractorOptions { BatchSize = 1 });
        using var many = ActivationExtractor.Create(Windowed(tail: "pad"), ["proj"], new ActivationExtractorOptions { BatchSize = 5 });
        var progress = new List<int>();
        var a = one.ExtractBatch(clips);
        var b = many.ExtractBatch(clips, new SynchronousProgress(progress));
        b.Select(r => r.ClipId).Should().Equal(clips.Select(c => c.Id));
        for (var i = 0; i < clips.Count; i++)
        {
            b[i].Taps[0].FrameCount.Should().Be(a[i].Taps[0].FrameCount);
            b[i].Taps[0].Data.Should().Equal(a[i].Taps[0].Data);
        }

        progress.Should().EndWith(7);
    }

    [Fact]
    public void InputScaleIsApplied()
    {
        using var extractor = ActivationExtractor.Create(Windowed(inputScale: 10), ["frames"]);
        extractor.Extract(Ramp(8)).Data.Should().Equal(Ramp(8).Select(v => v * 10));
    }

    [Fact]
    public void SilentFramesAreMaskedByEnergy()
    {
        var samples = new float[16];
        for (var i = 8; i < 16; i++)
        {
            samples[i] = 0.5f;
        }

        using var extractor = ActivationExtractor.Create(Windowed(), ["frames"], new ActivationExtractorOptions { SilenceThresholdDb = -60 });
        var result = extractor.ExtractClip(new AudioClip("half-silent", samples));
        result.MaskedFrames.Should().Be(4, "the 4 frames of the silent first window are dropped");
        result["frames"].FrameCount.Should().Be(4);
        result["frames"].Data.Should().OnlyContain(v => v == 0.5f);
    }

    [Fact]
    public void UnknownTapsListTheNearestNames()
    {
        var act = () => ActivationExtractor.Create(Windowed(), ["prj"]);
        var error = act.Should().Throw<UnknownTapException>().Which;
        error.Nearest.Should().Contain("proj");
        error.Message.Should().Contain("'prj'").And.Contain("'proj'");
    }

    [Fact]
    public void SeveralUnknownTapNamesAreSuggestedBySubstring()
    {
        var editor = OnnxTapEditor.Parse(TinyOnnxModels.WindowedEncoder(), "tiny");
        editor.Nearest("score", 3)[0].Should().Be("score");
        editor.Nearest("act", 2).Should().Contain("act");
        editor.TapNames.Should().Contain(["audio", "frames", "proj", "act", "score"]);
    }

    [Fact]
    public void AnInitializerIsNotATap()
    {
        var act = () => ActivationExtractor.Create(Windowed(), ["W"]);
        act.Should().Throw<ArgumentException>().WithMessage("*initializer*");
    }

    [Fact]
    public void AGraphInputCanBeTapped()
    {
        using var extractor = ActivationExtractor.Create(Windowed(), ["audio"]);
        extractor.WidthOf("audio").Should().Be(8);
        extractor.Extract(Ramp(16)).Data.Should().Equal(Ramp(16));
    }

    [Fact]
    public void AShapeMismatchNamesTheTensorAndBothShapes()
    {
        var act = () => ActivationExtractor.Create(Windowed(window: 16), ["proj"]);
        var error = act.Should().Throw<ModelInputMismatchException>().Which;
        error.Tensor.Should().Be("audio");
        error.Expected.Should().Contain("16");
        error.Actual.Should().Contain("8");
    }

    [Fact]
    public void AWrongInputNameListsTheModelInputs()
    {
        var act = () => ActivationExtractor.Create(Windowed(input: "waveform"), ["proj"]);
        act.Should().Throw<ModelInputMismatchException>().WithMessage("*'waveform'*'audio'*");
    }

    [Fact]
    public void AMissingModelFileListsThePlacesTried()
    {
        var description = ModelDescription.Parse(
            DescriptionJson("missing.onnx", "windows", "\"input\": \"audio\", \"inputShape\": [-1, 8], \"windowSamples\": 8", "[]"),
            Path.Combine(_folder, "d.json"),
            _folder);
        var act = () => ActivationExtractor.Create(description, ["proj"]);
        act.Should().Throw<FileNotFoundException>().WithMessage($"*missing.onnx*{_folder}*");
    }

    [Fact]
    public void NonFiniteActivationsNameTheTapAndClipOrAreSkipped()
    {
        var model = Path.Combine(_folder, "log.onnx");
        File.WriteAllBytes(model, TinyOnnxModels.LogModel());
        var description = ModelDescription.Parse(
            DescriptionJson("log.onnx", "windows", "\"input\": \"audio\", \"inputShape\": [-1, 4], \"windowSamples\": 4", "[]"), "log.json", _folder);
        using (var strict = ActivationExtractor.Create(description, ["logs"]))
        {
            var act = () => strict.ExtractClip(new AudioClip("negative", new float[] { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, -1f, 0.5f, 0.5f }));
            var error = act.Should().Throw<NonFiniteActivationException>().Which;
            error.Tap.Should().Be("logs");
            error.ClipId.Should().Be("negative");
            error.Frame.Should().Be(1);
        }

        using var lenient = ActivationExtractor.Create(description, ["logs"], new ActivationExtractorOptions { NonFinite = NonFiniteActivationPolicy.SkipClip });
        var results = lenient.ExtractBatch([new AudioClip("bad", new float[] { -1f, 1, 1, 1 }), new AudioClip("good", new float[] { 1f, 1, 1, 1 })]);
        results[0].Status.Should().Be(ClipExtractionStatus.NonFinite);
        results[0].Message.Should().Contain("logs");
        results[1].Status.Should().Be(ClipExtractionStatus.Ok);
        results[1].Taps[0].Data.Should().Equal(0f, 0f, 0f, 0f);
    }

    [Fact]
    public void RecurrentChunksCarryStateAndContext()
    {
        using var extractor = ActivationExtractor.Create(Recurrent(), ["hN"], new ActivationExtractorOptions { BatchSize = 3 });
        extractor.WidthOf("hN").Should().Be(2);
        float[] samples = [1, 2, 3, 4, 5, 6, 7];
        var result = extractor.ExtractClip(new AudioClip("r", samples));
        result["hN"].FrameCount.Should().Be(2, "two complete 3-sample chunks; the tail is dropped");
        var first = 1f + 2 + 3;
        var second = (0.5f * first) + (3f + 4 + 5 + 6);
        result["hN"].Data.Should().Equal(first, first, second, second);

        var clips = new[] { new AudioClip("a", samples), new AudioClip("b", new float[] { 1f, 1, 1 }), new AudioClip("c", Ramp(13)), new AudioClip("d", new float[] { 1f }) };
        var together = extractor.ExtractBatch(clips);
        foreach (var (clip, index) in clips.Select((c, i) => (c, i)))
        {
            var alone = extractor.ExtractClip(clip).Taps[0].Data;
            together[index].Taps[0].Data.Should().Equal(alone, (x, y) => Math.Abs(x - y) < 1e-5f, $"clip {clip.Id} in lockstep equals clip alone");
        }

        together[3].Status.Should().Be(ClipExtractionStatus.Empty);
    }

    [Fact]
    public void AModelInputTheDescriptionDoesNotFeedIsNamed()
    {
        var act = () => ActivationExtractor.Create(Recurrent(withConstant: false), ["hN"]);
        act.Should().Throw<ModelInputMismatchException>().Which.Tensor.Should().Be("sr");
    }

    [Fact]
    public void WhisperLogMelFrontEndFeedsThirtySecondWindowsAndDropsPaddingFrames()
    {
        var model = Path.Combine(_folder, "whisper.onnx");
        File.WriteAllBytes(model, TinyOnnxModels.WhisperShapedEncoder());
        var description = ModelDescription.Parse(
            DescriptionJson("whisper.onnx", "whisperLogMel", "\"input\": \"input_features\", \"inputShape\": [-1, 80, 3000], \"melBins\": 80, \"windowFrames\": 3000, \"tail\": \"pad\", \"shortClip\": \"pad\"",
                "[ { \"match\": \"last_hidden_state\", \"batchAxis\": 0, \"timeAxis\": 1 } ]"),
            "whisper.json",
            _folder);
        using var extractor = ActivationExtractor.Create(description, ["last_hidden_state"], new ActivationExtractorOptions { BatchSize = 2 });
        var oneSecond = Enumerable.Range(0, 16000).Select(i => (float)(0.3 * Math.Sin(i * 0.07))).ToArray();
        var result = extractor.ExtractClip(new AudioClip("1s", oneSecond));
        result["last_hidden_state"].FrameCount.Should().Be(50, "1 s is 100 mel frames, 50 encoder frames; the 1450 padding frames are dropped");
        result["last_hidden_state"].Width.Should().Be(8);

        var mel = WhisperLogMel.Create().Compute(oneSecond, out _, padToFrames: 3000);
        var weights = Enumerable.Range(0, 320).Select(i => (float)Math.Sin(i * 0.37) * 0.1f).ToArray();
        for (var frame = 0; frame < 50; frame++)
        {
            for (var j = 0; j < 8; j++)
            {
                var melFrame = (2 * frame) + (j / 4);
                var column = j % 4;
                var expected = 0f;
                for (var m = 0; m < 80; m++)
                {
                    expected += mel[(m * 3000) + melFrame] * weights[(m * 4) + column];
                }

                result["last_hidden_state"].Frame(frame)[j].Should().BeApproximately(expected, 1e-4f);
            }
        }

        var longClip = new float[(31 * 16000) + 5];
        extractor.ExtractClip(new AudioClip("31s", longClip))["last_hidden_state"].FrameCount.Should().Be(1500 + 51, "a full 30 s window plus ceil(1500 × 16005 / 480000) frames");
    }

    [Fact]
    public void TheBaselineReplaysExactlyTheRunsTheEngineMade()
    {
        var clips = new[] { new AudioClip("a", Ramp(20)), new AudioClip("b", Ramp(9)), new AudioClip("c", Ramp(3)) };
        using (var windowed = ActivationExtractor.Create(Windowed(tail: "pad"), ["proj"], new ActivationExtractorOptions { BatchSize = 2 }))
        using (var baseline = ExtractionBaseline.Record(windowed, clips))
        {
            baseline.RunCount.Should().Be(3, "3 + 2 windows (the 3-sample clip gives none) in batches of 2");
            baseline.Run();
        }

        using var recurrent = ActivationExtractor.Create(Recurrent(), ["hN"], new ActivationExtractorOptions { BatchSize = 2 });
        using var replay = ExtractionBaseline.Record(recurrent, clips);
        replay.RunCount.Should().Be(1 + 6 + 1 + 1, "a group start and 6 steps for clips a and b, then a group start and 1 step for clip c");
        replay.Run();
    }

    [Fact]
    public void DescriptionErrorsNameTheFileAndField()
    {
        var unknownField = () => ModelDescription.Parse("{\"formatVersion\":1,\"name\":\"x\",\"model\":\"m.onnx\",\"frontEnd\":{\"kind\":\"windows\"},\"bogus\":1}", "x.json", _folder);
        unknownField.Should().Throw<ModelDescriptionException>().WithMessage("*x.json*bogus*");
        var badKind = () => ModelDescription.Parse("{\"name\":\"x\",\"model\":\"m.onnx\",\"frontEnd\":{\"kind\":\"spectrogram\"}}", "x.json", _folder);
        badKind.Should().Throw<ModelDescriptionException>().WithMessage("*frontEnd.kind*");
        var noBatch = () => ModelDescription.Parse(
            DescriptionJson("m.onnx", "windows", "\"input\": \"audio\", \"inputShape\": [1, 8], \"windowSamples\": 8", "[]"), "x.json", _folder);
        noBatch.Should().Throw<ModelDescriptionException>().WithMessage("*inputShape*-1*");
        var mismatch = () => ModelDescription.Parse(
            DescriptionJson("m.onnx", "windows", "\"input\": \"audio\", \"inputShape\": [-1, 8], \"windowSamples\": 9", "[]"), "x.json", _folder);
        mismatch.Should().Throw<ModelDescriptionException>().WithMessage("*windowSamples is 9*");
    }

    [Fact]
    public void DescriptionsRoundTripThroughJson()
    {
        var description = Windowed(tail: "pad");
        var again = ModelDescription.Parse(description.ToJson(), "again.json", _folder);
        again.ToJson().Should().Be(description.ToJson());
        again.FrontEnd.Tail.Should().Be(ClipTailPolicy.Pad);
        again.LayoutFor("proj", 3).TimeAxis.Should().Be(1);
        again.LayoutFor("score", 2).TimeAxis.Should().BeNull();
    }

    private static float[] Ramp(int count) => [.. Enumerable.Range(0, count).Select(i => (i + 1) / 100f)];

    private static string DescriptionJson(string model, string kind, string frontEnd, string layouts) => $$"""
        {
          "formatVersion": 1,
          "name": "tiny",
          "model": "{{model}}",
          "sampleRate": 16000,
          "frontEnd": { "kind": "{{kind}}", {{frontEnd}} },
          "tapLayouts": {{layouts}}
        }
        """;

    private ModelDescription Windowed(string tail = "drop", string shortClip = "empty", int hop = 8, int window = 8, string input = "audio", float inputScale = 1)
    {
        File.WriteAllBytes(Path.Combine(_folder, "windowed.onnx"), TinyOnnxModels.WindowedEncoder());
        var frontEnd = $"\"input\": \"{input}\", \"inputShape\": [-1, {window}], \"windowSamples\": {window}, \"hopSamples\": {hop}, \"tail\": \"{tail}\", \"shortClip\": \"{shortClip}\", \"inputScale\": {inputScale}";
        return ModelDescription.Parse(
            DescriptionJson("windowed.onnx", "windows", frontEnd, "[ { \"match\": \"^(proj|act|frames)$\", \"regex\": true, \"rank\": 3, \"batchAxis\": 0, \"timeAxis\": 1 } ]"),
            "windowed.json",
            _folder);
    }

    private ModelDescription Recurrent(bool withConstant = true)
    {
        File.WriteAllBytes(Path.Combine(_folder, "recurrent.onnx"), TinyOnnxModels.RecurrentChunkModel());
        var constants = withConstant ? "[ { \"name\": \"sr\", \"type\": \"int64\", \"shape\": [], \"values\": [16000] } ]" : "[]";
        var frontEnd = $"\"input\": \"x\", \"inputShape\": [-1, 4], \"windowSamples\": 3, \"contextSamples\": 1, \"state\": [ {{ \"input\": \"h\", \"output\": \"hN\", \"shape\": [1, -1, 2] }} ], \"constants\": {constants}";
        return ModelDescription.Parse(
            DescriptionJson("recurrent.onnx", "recurrentChunks", frontEnd, "[ { \"match\": \"hN\", \"batchAxis\": 1 } ]"), "recurrent.json", _folder);
    }

    private sealed class SynchronousProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
