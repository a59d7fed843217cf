using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>MP3 (NLayer) and Ogg Vorbis (NVorbis) decoded from files the test makes with lame / oggenc.</summary>
public sealed class CompressedAudioTests
{
    [SkippableFact]
    public void Mp3MadeByLameDecodes()
    {
        Skip.If(ExternalAudioTool.Find("lame") is null, ExternalAudioTool.Missing("lame", "lame"));
        using var folder = new TemporaryFolder();
        var wav = WriteTone(folder, 44100, 2);
        var mp3 = folder.File("tone.mp3");
        ExternalAudioTool.Run("lame", "--quiet", "-b", "192", wav, mp3);

        var decoded = AudioDecoder.Decode(mp3);
        decoded.Format.Should().Be(AudioFileFormat.Mp3);
        decoded.SampleRate.Should().Be(44100);
        decoded.Channels.Should().Be(2);
        decoded.DurationSeconds.Should().BeApproximately(2.0, 0.1, "encoder delay and padding add a few frames");
        AssertTone(AudioLoader.LoadMono(mp3), 16000);
        var renamed = folder.File("tone.wav.bin"); // detection is by content, not by extension
        File.Copy(mp3, renamed);
        AudioDecoder.Decode(renamed).Format.Should().Be(AudioFileFormat.Mp3);
    }

    [SkippableFact]
    public void OggVorbisMadeByOggencDecodes()
    {
        Skip.If(ExternalAudioTool.Find("oggenc") is null, ExternalAudioTool.Missing("oggenc", "vorbis-tools"));
        using var folder = new TemporaryFolder();
        var wav = WriteTone(folder, 48000, 1);
        var ogg = folder.File("tone.ogg");
        ExternalAudioTool.Run("oggenc", "--quiet", "-q", "6", "-o", ogg, wav);

        var decoded = AudioDecoder.Decode(ogg);
        decoded.Format.Should().Be(AudioFileFormat.OggVorbis);
        decoded.SampleRate.Should().Be(48000);
        decoded.Channels.Should().Be(1);
        decoded.FrameCount.Should().Be(96000, "Vorbis in Ogg is sample-accurate");
        AssertTone(AudioLoader.LoadMono(ogg), 16000);
    }

    [SkippableFact]
    public void SoxMadeFilesDecodeLikeSoxReadsThem()
    {
        Skip.If(ExternalAudioTool.Find("sox") is null, ExternalAudioTool.Missing("sox", "sox"));
        using var folder = new TemporaryFolder();
        var wav = folder.File("sox.wav");
        ExternalAudioTool.Run("sox", "-n", "-r", "32000", "-b", "24", "-c", "2", wav, "synth", "0.5", "sine", "300", "sine", "700");
        var flac = folder.File("sox.flac");
        ExternalAudioTool.Run("sox", wav, flac);
        var fromWav = AudioDecoder.Decode(wav);
        var fromFlac = AudioDecoder.Decode(flac);
        fromWav.BitsPerSample.Should().Be(24);
        fromFlac.IntegerSamples.Should().Equal(fromWav.IntegerSamples);
    }

    private static string WriteTone(TemporaryFolder folder, int rate, int channels)
    {
        var tone = TestSignals.Sine(rate * 2, 1000, rate, amplitude: 0.5);
        var interleaved = tone.SelectMany(v => Enumerable.Repeat(v, channels)).ToArray();
        var path = folder.File($"tone-{rate}.wav");
        WavWriter.Write(path, interleaved, rate, channels, WavSampleFormat.Pcm16);
        return path;
    }

    private static void AssertTone(float[] mono, int rate)
    {
        var middle = mono.AsSpan(mono.Length / 4, mono.Length / 2);
        TestSignals.Amplitude(middle, 1000, rate).Should().BeApproximately(0.5, 0.03);
        TestSignals.Amplitude(middle, 1500, rate).Should().BeLessThan(0.01);
    }
}
