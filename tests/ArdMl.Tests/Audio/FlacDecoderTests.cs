using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Audio;

public sealed class FlacDecoderTests
{
    [SkippableFact]
    public void EverySonicPiSampleDecodesBitExactlyLikeFlacD()
    {
        var folder = SharedAssets.TryGet("data", "sonic-pi-samples");
        Skip.If(folder is null, SharedAssets.MissingMessage);
        Skip.If(ExternalAudioTool.Find(FlacReference.Tool) is null, ExternalAudioTool.Missing("flac", "flac"));
        var files = Directory.GetFiles(folder!, "*.flac");
        files.Should().NotBeEmpty();
        using var temporary = new TemporaryFolder();
        foreach (var file in files)
        {
            FlacReference.AssertBitExact(file, temporary);
        }
    }
}
