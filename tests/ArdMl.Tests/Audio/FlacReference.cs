using System.Buffers.Binary;
using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>Compares the managed FLAC decoder with the reference <c>flac -d</c> (raw signed little-endian output).</summary>
internal static class FlacReference
{
    public const string Tool = "flac";

    /// <summary>Decodes <paramref name="flacPath"/> with both decoders and asserts identical integer samples.</summary>
    public static void AssertBitExact(string flacPath, TemporaryFolder folder)
    {
        var decoded = AudioDecoder.Decode(flacPath);
        if (decoded.BitsPerSample % 8 != 0)
        {
            // flac -d writes raw only for whole bytes; other depths go through its WAVE_FORMAT_EXTENSIBLE output.
            var wav = folder.File(Path.GetFileNameWithoutExtension(flacPath) + "-" + Guid.NewGuid().ToString("N")[..8] + ".wav");
            ExternalAudioTool.Run(Tool, "-d", "-s", "-f", "-o", wav, flacPath);
            var reference = AudioDecoder.Decode(wav);
            File.Delete(wav);
            reference.BitsPerSample.Should().Be(decoded.BitsPerSample);
            decoded.IntegerSamples.Should().Equal(reference.IntegerSamples, $"{flacPath} must decode like flac -d");
            return;
        }

        var raw = folder.File(Path.GetFileNameWithoutExtension(flacPath) + "-" + Guid.NewGuid().ToString("N")[..8] + ".raw");
        ExternalAudioTool.Run(
            Tool, "-d", "-s", "-f", "--force-raw-format", "--endian=little", "--sign=signed", "-o", raw, flacPath);
        var bytes = File.ReadAllBytes(raw);
        File.Delete(raw);
        var bytesPerSample = (decoded.BitsPerSample + 7) / 8;
        decoded.IntegerSamples.Should().NotBeNull();
        var actual = decoded.IntegerSamples!;
        actual.Length.Should().Be(bytes.Length / bytesPerSample, $"sample count of {flacPath}");
        for (var i = 0; i < actual.Length; i++)
        {
            var offset = i * bytesPerSample;
            var expected = bytesPerSample switch
            {
                1 => (sbyte)bytes[offset],
                2 => BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(offset)),
                3 => (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16)) << 8 >> 8,
                _ => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)),
            };
            if (actual[i] != expected)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{flacPath}: sample {i} (frame {i / decoded.Channels}, channel {i % decoded.Channels}) is " +
                    $"{actual[i]}, flac -d gives {expected}");
            }
        }
    }
}
