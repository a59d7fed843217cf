using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>
/// Hand-built streams (see <see cref="FlacStreamBuilder"/>) covering what the reference encoder does not emit; each is
/// checked against the intended samples and against <c>flac -d</c>.
/// </summary>
public sealed class FlacSyntheticStreamTests
{
    public static TheoryData<string, int, int, int, bool, bool> Cases() => new()
    {
        { "variable-16bit-stereo", 44100, 2, 16, true, false },
        { "fixed-24bit-stereo-streaminfo-codes", 96000, 2, 24, false, true },
        { "variable-8bit-mono", 8000, 1, 8, true, false },
        { "variable-32bit-stereo", 48000, 2, 32, true, false },
        { "fixed-12bit-3ch-khz-rate", 22000, 3, 12, false, false },
        { "variable-20bit-stereo-tens-rate", 100000, 2, 20, true, false },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void HandBuiltStreamDecodesLikeTheReference(string name, int rate, int channels, int bits, bool variable, bool fromStreamInfo)
    {
        var builder = new FlacStreamBuilder(rate, channels, bits) { VariableBlockSize = variable, RateAndDepthFromStreamInfo = fromStreamInfo };
        int[] sizes = variable ? [1000, 17, 4096, 333, 2048, 576, 4095, 16, 1152, 7] : [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 1234];
        var position = 0;
        var blockIndex = 0;
        foreach (var size in sizes)
        {
            var all = TestSignals.Music(position + size, channels, bits, rate, seed: 7);
            var block = new int[channels][];
            for (var c = 0; c < channels; c++)
            {
                block[c] = new int[size];
                for (var i = 0; i < size; i++)
                {
                    block[c][i] = all[((position + i) * channels) + c];
                }
            }

            if (blockIndex % 3 == 1)
            {
                // low bits always zero: wasted-bits subframes
                foreach (var channel in block)
                {
                    for (var i = 0; i < size; i++)
                    {
                        channel[i] &= ~0x3;
                    }
                }
            }

            var assignment = channels == 2 ? new[] { 0, 8, 9, 10 }[blockIndex % 4] : 0;
            if (bits == 32 && assignment != 0)
            {
                assignment = blockIndex % 2 == 0 ? 0 : 10; // 33-bit side channels
            }

            builder.AddBlock(block, assignment);
            position += size;
            blockIndex++;
        }

        var bytes = builder.Build();
        var expected = builder.Interleaved();
        var decoded = AudioDecoder.Decode(bytes, name);
        decoded.IntegerSamples.Should().Equal(expected);
        decoded.SampleRate.Should().Be(rate);

        Skip.If(ExternalAudioTool.Find(FlacReference.Tool) is null, ExternalAudioTool.Missing("flac", "flac"));
        using var folder = new TemporaryFolder();
        var path = folder.File(name + ".flac");
        File.WriteAllBytes(path, bytes);
        FlacReference.AssertBitExact(path, folder);
    }
}
