using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

public sealed class AudioLoaderTests
{
    [Fact]
    public void StereoIsAveragedToMono()
    {
        var left = TestSignals.Sine(16000, 440, 16000, amplitude: 0.6);
        var right = TestSignals.Sine(16000, 440, 16000, amplitude: 0.2);
        var interleaved = left.Zip(right, (l, r) => new[] { l, r }).SelectMany(p => p).ToArray();
        using var stream = new MemoryStream();
        WavWriter.Write(stream, interleaved, 16000, 2, WavSampleFormat.Float32);

        var mono = AudioLoader.LoadMono(stream.ToArray(), "stereo.wav");

        mono.Should().HaveCount(16000);
        for (var i = 0; i < mono.Length; i++)
        {
            mono[i].Should().BeApproximately((left[i] + right[i]) / 2, 1e-6f);
        }
    }

    [Fact]
    public void IntegerAndFloatPathsAgree()
    {
        var samples = TestSignals.Music(44100, 2, 16);
        using var wav = new MemoryStream();
        WavWriter.WriteIntegers(wav, samples, 44100, 2, 16);
        var viaLoader = AudioLoader.LoadMono(wav.ToArray(), "music.wav");
        var viaDecoded = AudioLoader.ToModelInput(AudioDecoder.Decode(wav.ToArray(), "music.wav"));
        viaLoader.Should().HaveCount(16000);
        viaLoader.Should().Equal(viaDecoded, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void FlacAndWavOfTheSameSamplesLoadIdentically()
    {
        var flac = BadInputTests.SmallFlac();
        var decoded = AudioDecoder.Decode(flac, "small.flac");
        using var wav = new MemoryStream();
        WavWriter.WriteIntegers(wav, decoded.IntegerSamples!, decoded.SampleRate, decoded.Channels, decoded.BitsPerSample);
        AudioLoader.LoadMono(flac, "small.flac").Should().Equal(AudioLoader.LoadMono(wav.ToArray(), "small.wav"));
    }

    [Fact]
    public void MaxDurationCutsAndMatchesTheFullDecodeAtTheStart()
    {
        var samples = TestSignals.Music(44100 * 2, 1, 16);
        using var folder = new TemporaryFolder();
        var path = folder.File("two-seconds.wav");
        WavWriter.WriteIntegers(path, samples, 44100, 1, 16);

        var full = AudioLoader.LoadMono(path);
        var cut = AudioLoader.LoadMono(path, 16000, maxDurationSeconds: 0.5);

        full.Should().HaveCount(32000);
        cut.Should().HaveCount(8000);
        cut.Should().Equal(full.Take(8000), (a, b) => Math.Abs(a - b) < 1e-6f, "the cut keeps the filter's context");
    }

    [Fact]
    public void OtherTargetRatesWork()
    {
        var signal = TestSignals.Sine(8000, 1000, 8000);
        using var stream = new MemoryStream();
        WavWriter.Write(stream, signal, 8000, 1, WavSampleFormat.Pcm16);
        var bytes = stream.ToArray();
        AudioLoader.LoadMono(bytes, "tone.wav", 22050).Should().HaveCount(22050);
        AudioLoader.LoadMono(bytes, "tone.wav", 8000).Should().HaveCount(8000);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var act = () => AudioLoader.LoadMono([1, 2, 3], "x.wav", 0);
        act.Should().Throw<ArgumentOutOfRangeException>();
        var negative = () => AudioLoader.LoadMono([1, 2, 3], "x.wav", 16000, -1);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }
}
