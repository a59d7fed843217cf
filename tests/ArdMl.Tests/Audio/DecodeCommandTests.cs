using System.Diagnostics;
using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>The <c>ard decode</c> command, run as the real executable.</summary>
public sealed class DecodeCommandTests
{
    private static string Ard => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ard.exe" : "ard");

    [SkippableFact]
    public void NativeOutputMatchesFlacDecoderBitForBit()
    {
        Skip.If(ExternalAudioTool.Find(FlacReference.Tool) is null, ExternalAudioTool.Missing("flac", "flac"));
        using var folder = new TemporaryFolder();
        var samples = TestSignals.Music(20000, 2, 24, 48000);
        var source = folder.File("source.wav");
        WavWriter.WriteIntegers(source, samples, 48000, 2, 24);
        var flac = folder.File("music.flac");
        ExternalAudioTool.Run(FlacReference.Tool, "-s", "-f", "-8", "-o", flac, source);
        var reference = folder.File("reference.wav");
        ExternalAudioTool.Run(FlacReference.Tool, "-d", "-s", "-f", "-o", reference, flac);

        var ours = folder.File("ours.wav");
        var (code, _, error) = RunArd("decode", flac, "--out", ours, "--native");

        code.Should().Be(0, error);
        var expected = AudioDecoder.Decode(reference);
        var actual = AudioDecoder.Decode(ours);
        actual.SampleRate.Should().Be(48000);
        actual.Channels.Should().Be(2);
        actual.BitsPerSample.Should().Be(24);
        actual.IntegerSamples.Should().Equal(expected.IntegerSamples);
        DataChunk(File.ReadAllBytes(ours)).Should().Equal(DataChunk(File.ReadAllBytes(reference)));
    }

    [Fact]
    public void DefaultOutputIsMonoAtTheRequestedRate()
    {
        using var folder = new TemporaryFolder();
        var source = folder.File("stereo.wav");
        WavWriter.WriteIntegers(source, TestSignals.Music(44100, 2, 16), 44100, 2, 16);
        var output = folder.File("mono.wav");

        var (code, _, error) = RunArd("decode", source, "--out", output, "--rate", "22050");

        code.Should().Be(0, error);
        var decoded = AudioDecoder.Decode(output);
        decoded.Channels.Should().Be(1);
        decoded.SampleRate.Should().Be(22050);
        decoded.IsFloatingPoint.Should().BeTrue();
        decoded.Samples.Should().Equal(AudioLoader.LoadMono(source, 22050));
    }

    [Fact]
    public void MissingInputFailsWithItsPath()
    {
        using var folder = new TemporaryFolder();
        var missing = folder.File("nope.flac");
        var (code, _, error) = RunArd("decode", missing, "--out", folder.File("x.wav"));
        code.Should().Be(1);
        error.Should().Contain(missing);
    }

    private static (int Code, string Output, string Error) RunArd(params string[] arguments)
    {
        var start = new ProcessStartInfo(Ard) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static byte[] DataChunk(byte[] wav)
    {
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var size = BitConverter.ToInt32(wav, position + 4);
            if (wav.AsSpan(position, 4).SequenceEqual("data"u8))
            {
                return wav.AsSpan(position + 8, size).ToArray();
            }

            position += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk");
    }
}
