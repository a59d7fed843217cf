using ArdMl.Activations;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Activations;

public sealed class SharedModelExtractionTests
{
    [SkippableTheory]
    [InlineData("silero-vad.json", 256)]
    [InlineData("openwakeword.json", 96)]
    [InlineData("dnsmos.json", 128)]
    [InlineData("basic-pitch.json", 32 * 88)]
    public void DefaultTapHasTheDocumentedWidthAndIsDeterministic(string description, int width)
    {
        Skip.If(SharedModelFixture.Missing, SharedAssets.MissingMessage);
        var desc = SharedModelFixture.Description(description);
        using var extractor = ActivationExtractor.Create(desc, options: SharedModelFixture.Options(inputRate: 16000));
        extractor.WidthOf(desc.DefaultTaps[0]).Should().Be(width);
        var clip = SharedModelFixture.Load(SharedModelFixture.SpeechClips(1)[0]);
        var first = extractor.ExtractClip(clip);
        var second = extractor.ExtractClip(clip);
        first.Status.Should().Be(ClipExtractionStatus.Ok, first.Message);
        first.Taps[0].Width.Should().Be(width);
        first.Taps[0].FrameCount.Should().BeGreaterThan(0);
        first.Taps[0].Data.Should().Equal(second.Taps[0].Data, "extraction is deterministic");
        first.Taps[0].Data.Should().OnlyContain(v => float.IsFinite(v));
    }
}
