using ArdMl.Audio;

namespace ArdMl.Reporting;

/// <summary>Encodes samples as a 16-bit PCM mono WAV <c>data:</c> URI.</summary>
internal static class EmbeddedWav
{
    public const string Prefix = "data:audio/wav;base64,";

    public static string DataUri(ReadOnlySpan<float> samples, int sampleRate, double maxSeconds)
    {
        var keep = (int)Math.Min(samples.Length, Math.Round(maxSeconds * sampleRate));
        using var stream = new MemoryStream(44 + (keep * 2));
        WavWriter.Write(stream, samples[..keep], sampleRate, 1, WavSampleFormat.Pcm16);
        return Prefix + Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
