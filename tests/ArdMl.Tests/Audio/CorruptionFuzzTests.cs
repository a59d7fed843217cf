using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

/// <summary>Damaged files never escape as anything but <see cref="AudioDecodeException"/> (or decode, when harmless).</summary>
public sealed class CorruptionFuzzTests
{
    [Fact]
    public void RandomlyDamagedFlacOnlyRaisesAudioDecodeException()
    {
        var original = BadInputTests.SmallFlac();
        var random = new Random(1234);
        for (var trial = 0; trial < 400; trial++)
        {
            var damaged = (byte[])original.Clone();
            var position = trial < 100 ? random.Next(0, 60) : random.Next(damaged.Length); // header area first
            damaged[position] ^= (byte)(1 << random.Next(8));
            var length = trial % 5 == 0 ? random.Next(1, damaged.Length) : damaged.Length;
            AssertOnlyDecodeErrors(damaged.AsSpan(0, length).ToArray(), $"fuzz-{trial}-byte-{position}.flac");
        }
    }

    [Fact]
    public void RandomlyDamagedWavOnlyRaisesAudioDecodeException()
    {
        var original = WavTestFiles.Build(1, 2, 16000, 24, WavTestFiles.Pack(TestSignals.Music(300, 2, 24), 24, 24), junkChunks: true);
        var random = new Random(99);
        for (var trial = 0; trial < 300; trial++)
        {
            var damaged = (byte[])original.Clone();
            var position = random.Next(0, 90);
            damaged[position] = (byte)random.Next(256);
            var length = trial % 4 == 0 ? random.Next(1, damaged.Length) : damaged.Length;
            AssertOnlyDecodeErrors(damaged.AsSpan(0, length).ToArray(), $"fuzz-{trial}.wav");
        }
    }

    private static void AssertOnlyDecodeErrors(byte[] data, string name)
    {
        try
        {
            var decoded = AudioDecoder.Decode(data, name);
            decoded.FrameCount.Should().BePositive();
            decoded.Samples.Should().HaveCount(decoded.FrameCount * decoded.Channels);
        }
        catch (AudioDecodeException e)
        {
            e.SourceName.Should().Be(name);
            e.Message.Should().Contain(name);
        }
    }
}
