using System.CommandLine;
using System.Diagnostics;
using ArdMl.Audio;
using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace ArdMl.Benchmarks.Commands;

/// <summary>
/// <c>ard-bench decode</c>: decode + down-mix + resample to 16 kHz mono, on one core, for a WAV and a FLAC input,
/// reported as multiples of real time; the managed polyphase resampler is measured beside NAudio's WDL resampler. For
/// FLAC, the loader checks the frame CRCs; the exact decode (<see cref="AudioDecoder.Decode(ReadOnlySpan{byte}, string)"/>)
/// also verifies the STREAMINFO MD5.
/// </summary>
internal static class BenchDecodeCommand
{
    private const int SourceRate = 44100;
    private const int TargetRate = AudioLoader.DefaultSampleRate;
    private const double TargetRealTime = 1000;

    public static Command Create()
    {
        var seconds = new Option<int>("--seconds")
        {
            Description = "Length of the generated 44.1 kHz stereo test signal in seconds.",
            DefaultValueFactory = _ => 60,
        };
        var runs = new Option<int>("--runs") { Description = "Timed runs per measurement (median and fastest are reported).", DefaultValueFactory = _ => 9 };
        var keep = new Option<DirectoryInfo?>("--keep-inputs") { Description = "Also copy the generated WAV and FLAC inputs into this folder." };
        var command = new Command("decode", "Decode + down-mix + resample to 16 kHz mono on one core: WAV and FLAC, x real time.")
        {
            seconds,
            runs,
            keep,
        };
        command.SetAction(parse => Run(Math.Max(1, parse.GetValue(seconds)), Math.Max(1, parse.GetValue(runs)), parse.GetValue(keep)));
        return command;
    }

    private static int Run(int seconds, int runs, DirectoryInfo? keep)
    {
        BenchmarkTimer.PinToOneCore();
        using var folder = new TemporaryBenchFolder();
        var wavPath = Path.Combine(folder.Path, "music.wav");
        var signal = GenerateMusic(seconds);
        WavWriter.WriteIntegers(wavPath, signal, SourceRate, 2, 16);
        var inputs = new List<(string Name, byte[] Bytes, double Seconds)> { ($"WAV 16-bit stereo 44.1 kHz, {seconds} s", File.ReadAllBytes(wavPath), seconds) };
        var flacPath = Path.Combine(folder.Path, "music.flac");
        if (TryEncodeFlac(wavPath, flacPath))
        {
            inputs.Add(($"FLAC (flac -5) 16-bit stereo 44.1 kHz, {seconds} s", File.ReadAllBytes(flacPath), seconds));
        }
        else
        {
            var shared = FindSharedFlacFolder();
            if (shared is null)
            {
                Console.Error.WriteLine("No 'flac' encoder on PATH and no shared/data/sonic-pi-samples folder: FLAC is not measured.");
            }
            else
            {
                foreach (var file in Directory.GetFiles(shared, "*.flac").Order().Take(20))
                {
                    var bytes = File.ReadAllBytes(file);
                    inputs.Add(($"FLAC {Path.GetFileName(file)}", bytes, AudioDecoder.Decode(bytes, file).DurationSeconds));
                }
            }
        }

        if (keep is not null)
        {
            keep.Create();
            foreach (var file in Directory.GetFiles(folder.Path))
            {
                File.Copy(file, Path.Combine(keep.FullName, Path.GetFileName(file)), overwrite: true);
            }
        }

        Console.WriteLine($"ard-bench decode: pinned to one core, {runs} runs after a warm-up, input held in memory.");
        Console.WriteLine("Columns: wall-clock median, wall-clock fastest, median process CPU time; each as ms and as x real time.");
        Console.WriteLine($"{"input",-44} {"step",-42} {"med ms",8} {"x RT",9} {"best ms",8} {"x RT",9} {"cpu ms",8} {"x RT",9}");
        var failed = false;
        foreach (var (name, bytes, duration) in inputs)
        {
            var full = BenchmarkTimer.Measure(runs, () => AudioLoader.LoadMono(bytes, name, TargetRate));
            Report(name, "decode + mono + resample to 16 kHz (AudioLoader)", full, duration);
            failed |= duration / full.Fastest < TargetRealTime;

            var decoded = AudioDecoder.Decode(bytes, name);
            Report(name, "  decode + mono (AudioLoader at source rate)", BenchmarkTimer.Measure(runs, () => AudioLoader.LoadMono(bytes, name, decoded.SampleRate)), duration);
            Report(name, "  exact decode (AudioDecoder.Decode)", BenchmarkTimer.Measure(runs, () => AudioDecoder.Decode(bytes, name)), duration);
            Report(name, "  mono + polyphase resample (ArdMl)", BenchmarkTimer.Measure(runs, () => AudioResampler.Resample(decoded.ToMono(), decoded.SampleRate, TargetRate)), duration);
            Report(name, "  mono + WDL resample (NAudio)", BenchmarkTimer.Measure(runs, () => ResampleWithWdl(decoded.ToMono(), decoded.SampleRate)), duration);
        }

        if (File.Exists(flacPath))
        {
            // Context for the FLAC figures: the reference C decoder (libFLAC, with its MD5 check) on the same file.
            if (MeasureFlacReference(flacPath, Path.Combine(folder.Path, "reference.wav"), runs) is { } reference)
            {
                Console.WriteLine(
                    $"{"reference: flac -d (libFLAC, C), same FLAC",-44} {"decode + MD5 + write WAV (process CPU)",-42} " +
                    $"{"",8} {"",9} {"",8} {"",9} {reference * 1000,8:F1} {seconds / reference,8:N0}x");
            }
        }

        Console.WriteLine(failed
            ? $"Target NOT met: decode + resample must run at >= {TargetRealTime:N0}x real time (fastest run)."
            : $"Target met: >= {TargetRealTime:N0}x real time (fastest run) for every input.");
        return 0; // a missed target is reported above, not as a failure of the command
    }

    private static void Report(string input, string step, RunTimes time, double duration) =>
        Console.WriteLine(
            $"{Shorten(input, 44),-44} {step,-42} {time.Median * 1000,8:F1} {duration / time.Median,8:N0}x " +
            $"{time.Fastest * 1000,8:F1} {duration / time.Fastest,8:N0}x {time.Cpu * 1000,8:F1} {duration / time.Cpu,8:N0}x");

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>
    /// Mean CPU time (user + system) of <c>flac -d</c> processes decoding <paramref name="flacPath"/>, from the
    /// children's CPU counters in /proc/self/stat (Linux); null elsewhere.
    /// </summary>
    private static double? MeasureFlacReference(string flacPath, string outputPath, int runs)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var before = ChildrenCpuTicks();
        for (var i = 0; i < runs; i++)
        {
            using var process = Process.Start(new ProcessStartInfo("flac", ["-d", "-s", "-f", "-o", outputPath, flacPath])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
        }

        var ticks = ChildrenCpuTicks() - before;
        return Math.Max(ticks / 100.0 / runs, 1e-6); // USER_HZ is 100 on Linux
    }

    private static long ChildrenCpuTicks()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture); // cutime, cstime
    }

    private static float[] ResampleWithWdl(float[] mono, int sourceRate)
    {
        var resampler = new WdlResamplingSampleProvider(new ArraySampleProvider(mono, sourceRate), TargetRate);
        var output = new float[AudioResampler.OutputLength(mono.Length, sourceRate, TargetRate) + 4096];
        var total = 0;
        int read;
        while (total < output.Length && (read = resampler.Read(output.AsSpan(total, Math.Min(16384, output.Length - total)))) > 0)
        {
            total += read;
        }

        return output;
    }

    /// <summary>
    /// A deterministic music-like stereo signal: two harmonic voices playing a note sequence with decaying envelopes,
    /// a percussive noise burst on every beat and a low noise floor, as 16-bit integers.
    /// </summary>
    private static int[] GenerateMusic(int seconds)
    {
        var frames = seconds * SourceRate;
        var samples = new int[frames * 2];
        int[] scale = [0, 2, 4, 5, 7, 9, 11, 12];
        uint noiseState = 0x12345678;
        const double beat = 0.25;
        for (var n = 0; n < frames; n++)
        {
            var t = n / (double)SourceRate;
            var step = (int)(t / beat);
            var inNote = t - (step * beat);
            var melody = 220 * Math.Pow(2, scale[(step * 5) % scale.Length] / 12.0);
            var bass = 55 * Math.Pow(2, scale[(step / 4 * 3) % scale.Length] / 12.0);
            var envelope = Math.Exp(-inNote * 6);
            double voice1 = 0, voice2 = 0;
            for (var h = 1; h <= 6; h++)
            {
                voice1 += Math.Sin(2 * Math.PI * melody * h * t) / h;
                voice2 += Math.Sin((2 * Math.PI * bass * h * t) + h) / (h * h);
            }

            noiseState = (noiseState * 1664525) + 1013904223;
            var noise = ((noiseState >> 8) / (double)(1 << 24)) - 0.5;
            var drum = noise * Math.Exp(-inNote * 40);
            var left = (0.30 * envelope * voice1) + (0.25 * voice2) + (0.3 * drum) + (0.002 * noise);
            var right = (0.18 * envelope * voice1) + (0.30 * voice2) + (0.25 * drum) + (0.002 * noise);
            samples[2 * n] = (int)Math.Clamp(Math.Round(left * 32767 * 0.8), -32768, 32767);
            samples[(2 * n) + 1] = (int)Math.Clamp(Math.Round(right * 32767 * 0.8), -32768, 32767);
        }

        return samples;
    }

    private static bool TryEncodeFlac(string wavPath, string flacPath)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("flac", ["-5", "-s", "-f", "-o", flacPath, wavPath])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            process!.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && File.Exists(flacPath);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    internal static string? FindSharedFlacFolder()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ARDML_SHARED");
        IEnumerable<string> roots = fromEnvironment is { Length: > 0 } ? [fromEnvironment] : [];
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            roots = roots.Append(Path.Combine(directory.FullName, "shared"));
        }

        return roots.Select(root => Path.Combine(root, "data", "sonic-pi-samples")).FirstOrDefault(Directory.Exists);
    }

    /// <summary>Feeds a mono float array to NAudio.</summary>
    private sealed class ArraySampleProvider(float[] samples, int sampleRate) : ISampleProvider
    {
        private int _position;

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, 1);

        public int Read(Span<float> buffer)
        {
            var count = Math.Min(buffer.Length, samples.Length - _position);
            samples.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }
    }

    /// <summary>A temporary folder for the generated inputs, deleted afterwards.</summary>
    private sealed class TemporaryBenchFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ard-bench-decode-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
