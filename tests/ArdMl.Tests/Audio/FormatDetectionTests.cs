using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>The format comes from the content, never from the file name.</summary>
public sealed class FormatDetectionTests
{
    [Fact]
    public void WavNamedFlacDecodesAsWav()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("actually-a-wav.flac");
        var samples = TestSignals.Music(1000, 1, 16);
        WavWriter.WriteIntegers(path, samples, 16000, 1, 16);
        var decoded = AudioDecoder.Decode(path);
        decoded.Format.Should().Be(AudioFileFormat.Wav);
        decoded.IntegerSamples.Should().Equal(samples);
    }

    [Fact]
    public void FlacBehindAnId3v2TagIsFound()
    {
        var flac = BadInputTests.SmallFlac();
        byte[] id3 = [(byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0, 0, 20, .. new byte[20]];
        var tagged = id3.Concat(flac).ToArray();
        AudioDecoder.DetectFormat(tagged).Should().Be(AudioFileFormat.Flac);
        AudioDecoder.Decode(tagged, "tagged.mp3").IntegerSamples.Should().Equal(AudioDecoder.Decode(flac, "plain.flac").IntegerSamples);
    }

    [Fact]
    public void SignaturesAreRecognised()
    {
        AudioDecoder.DetectFormat("RIFF\0\0\0\0WAVEfmt "u8).Should().Be(AudioFileFormat.Wav);
        AudioDecoder.DetectFormat("fLaC\0\0\0\u0022"u8).Should().Be(AudioFileFormat.Flac);
        AudioDecoder.DetectFormat("OggS\0\u0002"u8).Should().Be(AudioFileFormat.OggVorbis);
        AudioDecoder.DetectFormat([0xFF, 0xFB, 0x90, 0x64]).Should().Be(AudioFileFormat.Mp3);
        AudioDecoder.DetectFormat([0xFF, 0xF8, 0xC9, 0x18]).Should().BeNull("a FLAC frame sync alone is not an MPEG header");
        AudioDecoder.DetectFormat("FORM\0\0\0\0AIFF"u8).Should().BeNull();
    }
}
