using System.Buffers.Binary;
using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

public sealed class WavDecoderTests
{
    [Theory]
    [InlineData(8, 8, false)]
    [InlineData(16, 16, false)]
    [InlineData(24, 24, false)]
    [InlineData(32, 32, false)]
    [InlineData(16, 16, true)]
    [InlineData(24, 24, true)]
    [InlineData(32, 24, true)]
    [InlineData(24, 20, true)]
    [InlineData(16, 12, true)]
    [InlineData(8, 8, true)]
    public void IntegerPcmDecodesExactly(int containerBits, int validBits, bool extensible)
    {
        const int channels = 3;
        var samples = TestSignals.Music(500, channels, validBits);
        samples[0] = -(1 << (validBits - 1)); // extremes
        samples[1] = (1 << (validBits - 1)) - 1;
        var bytes = WavTestFiles.Build(
            1, channels, 22050, containerBits, WavTestFiles.Pack(samples, containerBits, validBits),
            validBits: validBits, extensibleSubFormat: extensible ? (ushort)1 : null, junkChunks: true);

        var decoded = AudioDecoder.Decode(bytes, "matrix.wav");

        decoded.Format.Should().Be(AudioFileFormat.Wav);
        decoded.BitsPerSample.Should().Be(validBits);
        decoded.Channels.Should().Be(channels);
        decoded.SampleRate.Should().Be(22050);
        decoded.FrameCount.Should().Be(500);
        decoded.IntegerSamples.Should().Equal(samples);
        decoded.Samples[0].Should().Be(-1f);
        decoded.Samples[1].Should().BeApproximately(1f, 2.1f / (1L << (validBits - 1)));
    }

    [Theory]
    [InlineData(32, false)]
    [InlineData(64, false)]
    [InlineData(32, true)]
    [InlineData(64, true)]
    public void IeeeFloatDecodes(int bits, bool extensible)
    {
        var values = TestSignals.Sine(300, 440, 8000, amplitude: 0.9);
        var bytes = new byte[values.Length * bits / 8];
        for (var i = 0; i < values.Length; i++)
        {
            if (bits == 32)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
            }
        }

        var file = WavTestFiles.Build(3, 1, 8000, bits, bytes, extensibleSubFormat: extensible ? (ushort)3 : null);
        var decoded = AudioDecoder.Decode(file, "float.wav");

        decoded.IsFloatingPoint.Should().BeTrue();
        decoded.IntegerSamples.Should().BeNull();
        decoded.BitsPerSample.Should().Be(bits);
        decoded.Samples.Should().Equal(values);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void StreamingDataSizeMeansToTheEndOfTheFile(uint declared)
    {
        var samples = TestSignals.Music(1001, 2, 16);
        var file = WavTestFiles.Build(1, 2, 16000, 16, WavTestFiles.Pack(samples, 16, 16), dataSizeOverride: declared);
        var withPartialFrame = file.Concat(new byte[] { 1, 2, 3 }).ToArray(); // a cut-off last frame is ignored

        AudioDecoder.Decode(withPartialFrame, "stream.wav").IntegerSamples.Should().Equal(samples);
    }

    [Fact]
    public void WavWriterOutputRoundTripsForEveryFormat()
    {
        var signal = TestSignals.Sine(1000, 1000, 16000, amplitude: 0.7);
        foreach (var format in Enum.GetValues<WavSampleFormat>())
        {
            using var stream = new MemoryStream();
            WavWriter.Write(stream, signal, 16000, 1, format);
            var decoded = AudioDecoder.Decode(stream.ToArray(), format.ToString());
            var tolerance = format switch
            {
                WavSampleFormat.Pcm8 => 1.0 / 128,
                WavSampleFormat.Pcm16 => 1.0 / 32768,
                WavSampleFormat.Pcm24 => 1.0 / 8388608,
                _ => 1e-7,
            };
            decoded.SampleRate.Should().Be(16000);
            decoded.Samples.Length.Should().Be(signal.Length);
            for (var i = 0; i < signal.Length; i++)
            {
                ((double)Math.Abs(decoded.Samples[i] - signal[i])).Should().BeLessThanOrEqualTo(tolerance, $"{format} sample {i}");
            }
        }
    }

    [Theory]
    [InlineData(12, 2)]
    [InlineData(20, 6)]
    [InlineData(24, 2)]
    [InlineData(8, 1)]
    public void IntegerWriterIsBitExact(int bits, int channels)
    {
        var samples = TestSignals.Music(777, channels, bits);
        using var stream = new MemoryStream();
        WavWriter.WriteIntegers(stream, samples, 32000, channels, bits);
        var decoded = AudioDecoder.Decode(stream.ToArray(), "written.wav");
        decoded.BitsPerSample.Should().Be(bits);
        decoded.IntegerSamples.Should().Equal(samples);
    }
}
