using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>Every kind of bad input raises <see cref="AudioDecodeException"/> naming the file and the problem.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "ardml-no-such-dir", "missing.flac");
        var act = () => AudioDecoder.Decode(path);
        act.Should().Throw<FileNotFoundException>().WithMessage($"*{path}*");
        var load = () => AudioLoader.LoadMono(path);
        load.Should().Throw<FileNotFoundException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void EmptyFileIsReported()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("empty.wav");
        File.WriteAllBytes(path, []);
        ShouldFail(() => AudioDecoder.Decode(path), path, "*empty*");
    }

    [Fact]
    public void AdpcmWavIsUnsupported() =>
        ShouldFail(
            () => AudioDecoder.Decode(WavTestFiles.Build(2, 1, 8000, 4, new byte[64]), "adpcm.wav"),
            "adpcm.wav",
            "*ADPCM*");

    [Fact]
    public void AiffIsUnsupported()
    {
        var aiff = "FORM\0\0\0\u0040AIFFCOMM"u8.ToArray().Concat(new byte[64]).ToArray();
        ShouldFail(() => AudioDecoder.Decode(aiff, "song.aiff"), "song.aiff", "*AIFF*");
    }

    [Fact]
    public void UnknownBytesAreUnrecognised() =>
        ShouldFail(() => AudioDecoder.Decode("hello, this is text"u8, "notes.txt"), "notes.txt", "*unrecognised*");

    [Fact]
    public void TruncatedWavIsReported()
    {
        var file = WavTestFiles.Build(1, 2, 16000, 16, WavTestFiles.Pack(TestSignals.Music(1000, 2, 16), 16, 16));
        ShouldFail(() => AudioDecoder.Decode(file.AsSpan(0, file.Length - 100), "cut.wav"), "cut.wav", "*truncated*");
        ShouldFail(() => AudioDecoder.Decode(file.AsSpan(0, 30), "header.wav"), "header.wav", "*truncated*");
    }

    [Fact]
    public void WavWithoutSamplesIsReported()
    {
        var file = WavTestFiles.Build(1, 2, 16000, 16, []);
        ShouldFail(() => AudioDecoder.Decode(file, "silent.wav"), "silent.wav", "*no complete sample frame*");
    }

    [Fact]
    public void TruncatedFlacIsReported()
    {
        var flac = SmallFlac();
        ShouldFail(() => AudioDecoder.Decode(flac.AsSpan(0, flac.Length - 7), "cut.flac"), "cut.flac", "*truncated*");
        ShouldFail(() => AudioDecoder.Decode(flac.AsSpan(0, flac.Length / 2), "half.flac"), "half.flac", "*truncated*");
        ShouldFail(() => AudioDecoder.Decode(flac.AsSpan(0, 20), "meta.flac"), "meta.flac", "*truncated*");
        ShouldFail(() => AudioDecoder.Decode("fLaC"u8, "marker.flac"), "marker.flac", "*truncated*");
    }

    [Fact]
    public void CorruptFlacFrameFailsItsCrc()
    {
        var flac = SmallFlac();
        flac[flac.Length - 200] ^= 0x10;
        ShouldFail(() => AudioDecoder.Decode(flac, "flipped.flac"), "flipped.flac", "*CRC*");
    }

    [Fact]
    public void FlacWithWrongMd5IsReported()
    {
        var flac = SmallFlac();
        flac[8 + 18] ^= 0xFF; // first byte of the STREAMINFO MD5
        ShouldFail(() => AudioDecoder.Decode(flac, "md5.flac"), "md5.flac", "*MD5 mismatch*");
    }

    [Fact]
    public void LoaderChecksFlacFrameCrcsButNotTheMd5()
    {
        var flac = SmallFlac();
        var expected = AudioLoader.LoadMono(flac, "good.flac");
        var wrongMd5 = (byte[])flac.Clone();
        wrongMd5[8 + 18] ^= 0xFF;
        AudioLoader.LoadMono(wrongMd5, "md5.flac").Should().Equal(expected, "the model-input path does not compute the MD5");
        var flipped = (byte[])flac.Clone();
        flipped[flac.Length - 200] ^= 0x10;
        ShouldFail(() => AudioLoader.LoadMono(flipped, "flipped.flac"), "flipped.flac", "*CRC*");
    }

    [Fact]
    public void GarbageMp3AndOggAreReported()
    {
        var mp3 = new byte[] { 0xFF, 0xFB, 0x90, 0x64 }.Concat(Enumerable.Repeat((byte)0x55, 100)).ToArray();
        var mp3Act = () => AudioDecoder.Decode(mp3, "noise.mp3");
        mp3Act.Should().Throw<AudioDecodeException>().Where(e => e.SourceName == "noise.mp3").WithMessage("*noise.mp3*");
        var ogg = "OggS"u8.ToArray().Concat(new byte[200]).ToArray();
        ShouldFail(() => AudioDecoder.Decode(ogg, "broken.ogg"), "broken.ogg", "*Ogg*");
    }

    /// <summary>A valid 16-bit stereo FLAC built in memory (MD5 set).</summary>
    internal static byte[] SmallFlac()
    {
        var builder = new FlacStreamBuilder(44100, 2, 16);
        var samples = TestSignals.Music(4096 * 3, 2, 16);
        for (var block = 0; block < 3; block++)
        {
            var channels = new int[2][];
            for (var c = 0; c < 2; c++)
            {
                channels[c] = Enumerable.Range(0, 4096).Select(i => samples[(((block * 4096) + i) * 2) + c]).ToArray();
            }

            builder.AddBlock(channels, assignment: 10);
        }

        return builder.Build();
    }

    private static void ShouldFail(Action act, string source, string pattern) =>
        act.Should().Throw<AudioDecodeException>()
            .Where(e => e.SourceName == source)
            .WithMessage($"*'{source}'*").And.Message.Should().Match(pattern);
}
