using System.CommandLine;
using ArdMl.Audio;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard decode &lt;file&gt; --out &lt;wav&gt;</c>: decodes any supported audio file to WAV.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("file") { Description = "Audio file to decode: WAV, FLAC, MP3 or Ogg Vorbis (detected from its content)." };
        var output = new Option<FileInfo>("--out", "-o") { Description = "WAV file to write.", Required = true };
        var rate = new Option<int>("--rate")
        {
            Description = "Output sample rate in Hz (mono, resampled); ignored with --native.",
            DefaultValueFactory = _ => AudioLoader.DefaultSampleRate,
        };
        var native = new Option<bool>("--native")
        {
            Description = "Keep the source rate, channels and bit depth; integer sources are written bit for bit as integer PCM.",
        };
        var format = new Option<WavSampleFormat>("--sample-format")
        {
            Description = "Sample encoding of the resampled mono WAV: pcm8, pcm16, pcm24, pcm32 or float32; not --format, which is the activation shard layout in ard extract.",
            DefaultValueFactory = _ => WavSampleFormat.Float32,
        }.NamedValuesOnly<Option<WavSampleFormat>, WavSampleFormat>();
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "Keep at most this many seconds (resampled output only)." };

        var command = new Command("decode", "Decode an audio file to WAV: mono at --rate by default, or unchanged with --native.")
        {
            input,
            output,
            rate,
            native,
            format,
            maxSeconds,
        };
        command.SetAction(parse =>
        {
            var source = parse.GetValue(input)!.FullName;
            var destination = parse.GetValue(output)!.FullName;
            try
            {
                if (parse.GetValue(native))
                {
                    var decoded = AudioDecoder.Decode(source);
                    if (decoded.IntegerSamples is { } integers)
                    {
                        WavWriter.WriteIntegers(destination, integers, decoded.SampleRate, decoded.Channels, decoded.BitsPerSample);
                    }
                    else
                    {
                        WavWriter.Write(destination, decoded.Samples, decoded.SampleRate, decoded.Channels, WavSampleFormat.Float32);
                    }

                    Console.WriteLine(
                        $"{decoded.Format} {decoded.SampleRate} Hz, {decoded.Channels} ch, {decoded.BitsPerSample} bit, " +
                        $"{decoded.DurationSeconds:F3} s -> {destination}");
                    return 0;
                }

                var sampleRate = parse.GetValue(rate);
                if (sampleRate < 1)
                {
                    Console.Error.WriteLine($"--rate must be a positive number of Hz, not {sampleRate}.");
                    return 2;
                }

                var samples = AudioLoader.LoadMono(source, sampleRate, parse.GetValue(maxSeconds));
                WavWriter.Write(destination, samples, sampleRate, 1, parse.GetValue(format));
                Console.WriteLine($"mono {sampleRate} Hz, {samples.Length / (double)sampleRate:F3} s -> {destination}");
                return 0;
            }
            catch (Exception e) when (e is AudioDecodeException or FileNotFoundException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
