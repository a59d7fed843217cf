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
