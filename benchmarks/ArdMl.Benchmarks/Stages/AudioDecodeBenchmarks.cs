using ArdMl.Audio;
using ArdMl.Benchmarks.Commands;
using BenchmarkDotNet.Attributes;

namespace ArdMl.Benchmarks.Stages;

/// <summary>
/// Decode + down-mix + resample to 16 kHz mono (<see cref="AudioLoader.LoadMono(ReadOnlySpan{byte}, string, int, double?)"/>)
/// of one real FLAC file of <c>../shared/data/sonic-pi-samples</c> (the longest) and of the same samples written as a
/// 16-bit WAV in memory, WAV as the baseline; and the FLAC decode alone.
/// </summary>
[MemoryDiagnoser]
public class AudioDecodeBenchmarks
{
    private byte[] _flac = [];
    private byte[] _wav = [];
    private string _name = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var folder = BenchDecodeCommand.FindSharedFlacFolder()
            ?? throw new InvalidOperationException("Cannot find shared/data/sonic-pi-samples above the current folder (or $ARDML_SHARED): the decode benchmarks need its FLAC files.");
        var path = Directory.GetFiles(folder, "*.flac").OrderByDescending(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).First();
        _name = Path.GetFileName(path);
        _flac = File.ReadAllBytes(path);
        var decoded = AudioDecoder.Decode(_flac, _name);
        using var wav = new MemoryStream();
        WavWriter.Write(wav, decoded.Samples, decoded.SampleRate, decoded.Channels, WavSampleFormat.Pcm16);
        _wav = wav.ToArray();
    }

    [Benchmark(Baseline = true, Description = "WAV: decode + mono + resample")]
    public float[] Wav() => AudioLoader.LoadMono(_wav, "bench.wav");

    [Benchmark(Description = "FLAC: decode + mono + resample")]
    public float[] Flac() => AudioLoader.LoadMono(_flac, _name);

    [Benchmark(Description = "FLAC: decode only (CRCs + MD5)")]
    public DecodedAudio FlacDecodeOnly() => AudioDecoder.Decode(_flac, _name);
}
