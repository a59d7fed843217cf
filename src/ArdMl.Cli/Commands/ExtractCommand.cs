using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using ArdMl.Activations;
using ArdMl.Audio;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard extract</c>: runs a described ONNX model over a folder of audio and writes activation shards
/// (models/SHARDS.md), resumably, skipping and reporting clips that cannot be decoded or give NaN/Inf.
/// </summary>
internal static class ExtractCommand
{
    private static readonly string[] AudioExtensions = [".wav", ".flac", ".mp3", ".ogg", ".oga"];

    public static Command Create()
    {
        var description = new Option<FileInfo>("--model-description", "-d") { Description = "Model description JSON (see models/README.md).", Required = true };
        var taps = new Option<string[]>("--tap", "-t")
        {
            Description = "Value to extract (repeatable); default: the description's defaultTaps. With several taps each gets a subfolder of --out.",
            AllowMultipleArgumentsPerToken = false,
        };
        var audio = new Option<DirectoryInfo>("--audio", "-a") { Description = "Folder of audio clips (searched recursively: WAV, FLAC, MP3, Ogg)." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output shard folder (created or resumed)." };
        var shard = new Option<string?>("--shard") { Description = "Process only part i of n (0-based, e.g. 0/4): clips k with k mod n = i, written to <out>/part-i-of-n." };
        var batch = new Option<int>("--windows-per-run") { Description = "Windows per model run (or clips in lockstep for recurrent models); not --batch, which counts SAE frames per step elsewhere.", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads per worker (0: the cores shared out among the workers).", DefaultValueFactory = _ => 0 };
        var workers = new Option<int>("--workers") { Description = "Workers decoding and running clips in parallel, each with its own ONNX Runtime session (shards are identical for any count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var dtype = new Option<ActivationShardDataType>("--dtype") { Description = "Shard element type.", DefaultValueFactory = _ => ActivationShardDataType.Float32 }
            .NamedValuesOnly<Option<ActivationShardDataType>, ActivationShardDataType>();
        var format = new Option<ActivationShardFormat>("--format")
        {
            Description = "Activation shard layout: native (ArdMl shards), arrow (a Hugging Face dataset saved to disk) or parquet (models/SHARDS.md).",
            DefaultValueFactory = _ => ActivationShardFormat.Native,
        }.NamedValuesOnly<Option<ActivationShardFormat>, ActivationShardFormat>();
        var silence = new Option<double?>("--silence-db") { Description = "Drop frames whose input RMS is below this level in dBFS (e.g. -60)." };
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "Use at most this many seconds of each clip." };
        var gpu = new Option<bool>("--gpu") { Description = "Use CUDA (needs a -p:ArdGpu=true build; falls back to CPU with a message)." };
        var failOnNonFinite = new Option<bool>("--fail-on-non-finite") { Description = "Stop at the first clip with NaN/Inf activations instead of skipping it." };
        var listTaps = new Option<bool>("--list-taps") { Description = "Print every tappable value of the model (name and op) and exit." };

        var command = new Command("extract", "Extract activations of a described ONNX model over a folder of audio into activation shards.")
        {
            description, taps, audio, output, shard, batch, threads, workers, dtype, format, silence, maxSeconds, gpu, failOnNonFinite, listTaps,
        };
        command.SetAction(parse =>
        {
            try
            {
                var desc = ModelDescription.Load(parse.GetValue(description)!.FullName);
                if (parse.GetValue(listTaps))
                {
                    return ListTaps(desc);
                }

                var audioFolder = parse.GetValue(audio) ?? throw new ArgumentException("--audio is required.");
                var outFolder = parse.GetValue(output) ?? throw new ArgumentException("--out is required.");
                var (part, parts) = ParseShard(parse.GetValue(shard));
                var options = new ActivationExtractorOptions
                {
                    BatchSize = Math.Max(1, parse.GetValue(batch)),
                    IntraOpThreads = Math.Max(0, parse.GetValue(threads)),
                    Workers = Math.Max(1, parse.GetValue(workers)),
                    SilenceThresholdDb = parse.GetValue(silence),
                    NonFinite = parse.GetValue(failOnNonFinite) ? NonFiniteActivationPolicy.Throw : NonFiniteActivationPolicy.SkipClip,
                    ExecutionProvider = parse.GetValue(gpu) ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
                };
                return Run(desc, parse.GetValue(taps) ?? [], audioFolder.FullName, outFolder.FullName, part, parts, options, parse.GetValue(dtype), parse.GetValue(format), parse.GetValue(maxSeconds));
            }
            catch (Exception e) when (e is ModelDescriptionException or UnknownTapException or ModelInputMismatchException or FileNotFoundException
                                          or DirectoryNotFoundException or ActivationShardException or NonFiniteActivationException or ArgumentException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine(CliErrorText.Of(e));
                return 1;
            }
        });
        return command;
    }

    internal static (int Part, int Parts) ParseShard(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (0, 1);
        }

        var pieces = text.Split('/');
        if (pieces.Length != 2 || !int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || i >= n)
        {
            throw new ArgumentException($"--shard '{text}' must be i/n with 0 <= i < n (for example 0/4).");
        }

        return (i, n);
    }

    internal static IReadOnlyList<string> FindAudio(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Audio folder '{folder}' does not exist.");
        }

        return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
    }

    private static int ListTaps(ModelDescription description)
    {
        var path = description.ResolveModelPath();
        var editor = OnnxTapEditor.Parse(File.ReadAllBytes(path), path);
        var table = new Table().AddColumn("tap").AddColumn("op").AddColumn("graph output");
        var outputs = editor.OutputNames.ToHashSet(StringComparer.Ordinal);
        foreach (var name in editor.TapNames.Distinct(StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(name), editor.ProducerOf(name) ?? "input", outputs.Contains(name) ? "yes" : "");
        }

        AnsiConsole.Write(table);
        return 0;
    }

    private static int Run(
        ModelDescription description, string[] requestedTaps, string audioFolder, string outFolder, int part, int parts,
        ActivationExtractorOptions options, ActivationShardDataType dtype, ActivationShardFormat format, double? maxSeconds)
    {
        var all = FindAudio(audioFolder);
        using var extractor = ActivationExtractor.Create(description, requestedTaps, options);
        if (extractor.ExecutionNotice is { } notice)
        {
            Console.Error.WriteLine(notice);
        }

        var target = parts > 1 ? Path.Combine(outFolder, string.Create(CultureInfo.InvariantCulture, $"part-{part}-of-{parts}")) : outFolder;
        var writers = new Dictionary<string, ActivationShardWriter>(StringComparer.Ordinal);
        try
        {
            foreach (var tap in extractor.Taps)
            {
                var folder = extractor.Taps.Count == 1 ? target : Path.Combine(outFolder, SafeName(tap), Path.GetRelativePath(outFolder, target));
                writers[tap] = ActivationShardWriter.Open(folder, new ActivationShardManifest
                {
                    Width = extractor.WidthOf(tap),
                    DataType = dtype,
                    Model = description.Name,
                    ModelSha256 = extractor.ModelSha256,
                    Tap = tap,
                    SampleRate = extractor.SampleRate,
                    Producer = "ard extract",
                    Metadata = new Dictionary<string, string>
                    {
                        ["description"] = description.SourcePath ?? description.Name,
                        ["shard"] = string.Create(CultureInfo.InvariantCulture, $"{part}/{parts}"),
                    },
                }, format);
            }

            var mine = all.Where((_, k) => k % parts == part).ToList();
            var todo = mine.Where(id => writers.Values.Any(w => !w.Contains(id))).ToList();
            Console.WriteLine(
                $"{description.Name}: taps {string.Join(", ", extractor.Taps.Select(t => $"{t} (d {extractor.WidthOf(t)})"))} on {extractor.ExecutionProviderInUse}; " +
                $"{mine.Count} clips in part {part}/{parts}, {mine.Count - todo.Count} already done; {options.Workers} worker(s).");

            var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            var stats = new RunStatistics();
            ProgressDisplay.Run(["extracting"], display =>
                {
                    var done = 0;
                    void ClipDone() => display.Report(0, Interlocked.Increment(ref done), todo.Count, $"{failures.Count} skipped");
                    AudioClip? Load(string id)
                    {
                        try
                        {
                            return new AudioClip(id, AudioLoader.LoadMono(Path.Combine(audioFolder, id), extractor.InputSampleRate, maxSeconds));
                        }
                        catch (Exception e) when (e is AudioDecodeException or IOException or UnauthorizedAccessException or InvalidDataException)
                        {
                            failures[id] = "decode: " + e.Message;
                            ClipDone();
                            return null;
                        }
                    }

                    foreach (var result in extractor.ExtractMany(todo, Load))
                    {
                        if (result.Status == ClipExtractionStatus.NonFinite)
                        {
                            failures[result.ClipId] = result.Message ?? "NaN or infinity";
                        }
                        else
                        {
                            stats.Add(result);
                            foreach (var tapResult in result.Taps)
                            {
                                var writer = writers[tapResult.Tap];
                                if (!writer.Contains(result.ClipId))
                                {
                                    var metadata = new Dictionary<string, string> { ["path"] = result.ClipId };
                                    if (result.Status == ClipExtractionStatus.Empty)
                                    {
                                        metadata["empty"] = result.Message ?? "no frames";
                                    }

                                    if (result.MaskedFrames > 0)
                                    {
                                        metadata["maskedFrames"] = result.MaskedFrames.ToString(CultureInfo.InvariantCulture);
                                    }

                                    writer.Write(result.ClipId, tapResult.Data, tapResult.FrameCount, metadata);
                                }
                            }
                        }

                        ClipDone();
                    }

                });

            Console.WriteLine(
                $"wrote {stats.Clips} clips ({stats.Empty} with zero frames), {stats.Frames} frames of the first tap, {stats.Masked} frames masked as silence -> {outFolder}");
            if (!failures.IsEmpty)
            {
                Console.WriteLine($"skipped {failures.Count} clips:");
                foreach (var (clip, problem) in failures.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    Console.WriteLine($"  {clip}: {problem}");
                }
            }

            return 0;
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                writer.Dispose();
            }
        }
    }

    private static string SafeName(string tap) =>
        string.Concat(tap.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')).Trim('_', '.');

    private sealed class RunStatistics
    {
        public int Clips { get; private set; }

        public int Empty { get; private set; }

        public long Frames { get; private set; }

        public long Masked { get; private set; }

        public void Add(ClipActivations result)
        {
            Clips++;
            Empty += result.Status == ClipExtractionStatus.Empty ? 1 : 0;
            Frames += result.Taps[0].FrameCount;
            Masked += result.MaskedFrames;
        }
    }
}
