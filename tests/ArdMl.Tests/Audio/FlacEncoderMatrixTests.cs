using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>
/// Files made by the reference encoder at many settings, decoded by ArdMl and by <c>flac -d</c>: every compression
/// level, non-subset (--lax) LPC orders up to 32 and long blocks, 8/12/16/20/24/32-bit, 1-8 channels, odd block sizes
/// and sample rates that need each header code.
/// </summary>
public sealed class FlacEncoderMatrixTests
{
    public static TheoryData<string, int, int, int, int, string> Cases()
    {
        var data = new TheoryData<string, int, int, int, int, string>();
        for (var level = 0; level <= 8; level++)
        {
            data.Add($"level{level}", 2, 16, 44100, 9000, $"-{level}");
        }

        data.Add("lax-lpc32", 2, 16, 44100, 20000, "--lax -l 32 -b 4608 -r 0,15 -q 15");
        data.Add("lax-lpc32-exhaustive", 1, 24, 48000, 12000, "--lax -l 32 -e -p -b 8192 -r 8");
        data.Add("lax-block65535", 1, 16, 44100, 70000, "--lax -b 65535");
        data.Add("lax-block16", 2, 16, 44100, 1000, "--lax -b 16 -l 4");
        data.Add("block192", 2, 16, 44100, 4000, "-b 192");
        data.Add("block200-code6", 2, 16, 44100, 4000, "-b 200");
        data.Add("block1000-code7", 2, 16, 44100, 4000, "-b 1000");
        data.Add("block2304", 2, 16, 44100, 9000, "-b 2304");
        data.Add("fixed-only", 2, 16, 44100, 9000, "-l 0 -b 1152 -m");
        data.Add("independent", 2, 16, 44100, 9000, "-5 --no-mid-side");
        data.Add("mono-8bit", 1, 8, 8000, 5000, "-8");
        data.Add("12bit", 2, 12, 22050, 6000, "-8");
        data.Add("20bit", 2, 20, 96000, 9000, "-8");
        data.Add("24bit-stereo", 2, 24, 48000, 9000, "-8");
        data.Add("32bit", 2, 32, 48000, 6000, "-5");
        data.Add("3ch", 3, 16, 44100, 5000, "-5");
        data.Add("4ch-verbatim-constant", 4, 16, 44100, 5000, "-5");
        data.Add("6ch-24bit", 6, 24, 48000, 4000, "-8");
        data.Add("8ch", 8, 16, 44100, 4000, "-5");
        data.Add("rate-11025-hz-code", 1, 16, 11025, 3000, "-5");
        data.Add("rate-12340-tens-code", 1, 16, 12340, 3000, "-5");
        data.Add("rate-7000-khz-code", 1, 16, 7000, 3000, "-5");
        data.Add("rate-192000", 2, 24, 192000, 9000, "-5");
        data.Add("odd-length", 2, 16, 44100, 4097, "-5");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ReferenceEncodedFileDecodesBitExactly(string name, int channels, int bits, int rate, int frames, string options)
    {
        Skip.If(ExternalAudioTool.Find(FlacReference.Tool) is null, ExternalAudioTool.Missing("flac", "flac"));
        using var folder = new TemporaryFolder();
        var samples = TestSignals.Music(frames, channels, bits, rate, seed: name.Length);
        var flac = folder.File(name + ".flac");
        var arguments = new List<string> { "-s", "-f", "-o", flac };
        string input;
        if (bits % 8 == 0)
        {
            // Raw input: the encoder sees exactly these integers.
            input = folder.File(name + ".pcm");
            WriteRawLittleEndian(input, samples, bits);
            arguments.AddRange(
                ["--force-raw-format", "--endian=little", "--sign=signed", $"--channels={channels}", $"--bps={bits}", $"--sample-rate={rate}"]);
        }
        else
        {
            // 12/20-bit only arrive through WAVE_FORMAT_EXTENSIBLE (valid bits < container bits), written by ArdMl.
            input = folder.File(name + ".wav");
            WavWriter.WriteIntegers(input, samples, rate, channels, bits);
        }

        arguments.AddRange(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        arguments.Add(input);
        ExternalAudioTool.Run(FlacReference.Tool, [.. arguments]);

        FlacReference.AssertBitExact(flac, folder);
        var decoded = AudioDecoder.Decode(flac);
        decoded.IntegerSamples.Should().Equal(samples, "the decoder must reproduce the encoder's input exactly");
        decoded.Channels.Should().Be(channels);
        decoded.BitsPerSample.Should().Be(bits);
        decoded.SampleRate.Should().Be(rate);
    }

    [SkippableFact]
    public void WastedBitsAreRestored()
    {
        Skip.If(ExternalAudioTool.Find(FlacReference.Tool) is null, ExternalAudioTool.Missing("flac", "flac"));
        using var folder = new TemporaryFolder();
        var samples = TestSignals.Music(6000, 2, 16);
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] &= ~0x7; // three low bits always zero
        }

        var raw = folder.File("wasted.pcm");
        WriteRawLittleEndian(raw, samples, 16);
        var flac = folder.File("wasted.flac");
        ExternalAudioTool.Run(
            FlacReference.Tool, "-s", "-f", "--force-raw-format", "--endian=little", "--sign=signed", "--channels=2",
            "--bps=16", "--sample-rate=44100", "-o", flac, raw);
        AudioDecoder.Decode(flac).IntegerSamples.Should().Equal(samples);
        FlacReference.AssertBitExact(flac, folder);
    }

    internal static void WriteRawLittleEndian(string path, int[] samples, int bits)
    {
        var bytesPerSample = (bits + 7) / 8;
        var bytes = new byte[samples.Length * bytesPerSample];
        for (var i = 0; i < samples.Length; i++)
        {
            for (var b = 0; b < bytesPerSample; b++)
            {
                bytes[(i * bytesPerSample) + b] = (byte)(samples[i] >> (8 * b));
            }
        }

        File.WriteAllBytes(path, bytes);
    }
}
