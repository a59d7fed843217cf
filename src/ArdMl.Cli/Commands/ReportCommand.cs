using System.CommandLine;
using System.Text.Json;
using ArdMl.Audio;
using ArdMl.Concepts;
using ArdMl.Reporting;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard report --run &lt;dir&gt;</c>: one self-contained HTML page of the concepts of an <c>ard discover</c> run
/// folder (concepts.json, the per-clip score CSV and the manifest naming the audio folder).
/// </summary>
internal static class ReportCommand
{
    private const string ConceptsFile = "concepts.json";
    private static readonly string[] ScoreFileNames = ["concept-scores.csv", "clip-scores.csv", "scores.csv", "concepts.csv"];
    private static readonly string[] ManifestFileNames = ["manifest.json", "run.json", "discover.json"];

    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "Run folder of `ard discover` (holds concepts.json).", Required = true };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "HTML file to write (default: <run>/report.html)." };
        var audio = new Option<DirectoryInfo?>("--audio") { Description = "Folder of the clips (default: the audio folder the run manifest names)." };
        var captions = new Option<FileInfo?>("--captions") { Description = "clip,text CSV of clip captions (default: captions.csv next to the clips, or the manifest's)." };
        var scores = new Option<FileInfo?>("--scores") { Description = "Per-clip concept score CSV (default: the run's *.csv)." };
        var maxConcepts = new Option<int>("--max-concepts") { Description = "Show the N most monosemantic concepts.", DefaultValueFactory = _ => 30 }.AtLeast(1);
        var clipSeconds = new Option<double>("--clip-seconds") { Description = "Seconds kept from the start of each embedded clip.", DefaultValueFactory = _ => 3.0 };
        var clipsPerSet = new Option<int>("--clips-per-set") { Description = "H and L clips per concept embedded as players.", DefaultValueFactory = _ => 5 }.AtLeast(0);
        var command = new Command("report", "Write one self-contained HTML page of a discovery run's concepts, with charts and playable clips.")
        {
            run, output, audio, captions, scores, maxConcepts, clipSeconds, clipsPerSet,
        };
        command.SetAction(parse =>
        {
            try
            {
                var runDir = parse.GetValue(run)!.FullName;
                var options = new ConceptReportOptions
                {
                    Title = $"Concepts of {RunLabel(runDir)}",
                    MaxConcepts = parse.GetValue(maxConcepts),
                    ClipSeconds = parse.GetValue(clipSeconds),
                    MaxClipsPerSet = parse.GetValue(clipsPerSet),
                };
                options.Validate();
                var outPath = parse.GetValue(output)?.FullName ?? Path.Combine(runDir, "report.html");
                return Run(runDir, parse.GetValue(audio)?.FullName, parse.GetValue(captions)?.FullName, parse.GetValue(scores)?.FullName, outPath, options);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException
                                          or AudioDecodeException or JsonException or InvalidDataException)
            {
                Console.Error.WriteLine(CliErrorText.Of(e));
                return 1;
            }
        });
        return command;
    }

    /// <summary>The run folder's name, with its parent's when the name alone says little ("ard-demo/run").</summary>
    private static string RunLabel(string runDir)
    {
        var full = Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(full);
        var parent = Path.GetFileName(Path.GetDirectoryName(full) ?? string.Empty);
        return parent.Length > 0 ? $"{parent}/{name}" : name;
    }

    private static int Run(string runDir, string? audioDir, string? captionsPath, string? scoresPath, string outPath, ConceptReportOptions options)
    {
        if (!Directory.Exists(runDir))
        {
            throw new DirectoryNotFoundException($"The run folder '{runDir}' does not exist.");
        }

        var conceptsPath = Path.Combine(runDir, ConceptsFile);
        if (!File.Exists(conceptsPath))
        {
            throw new FileNotFoundException($"'{runDir}' has no {ConceptsFile}; is it a run folder of `ard discover`?", conceptsPath);
        }

        var dictionary = ConceptDictionaryJson.Load(conceptsPath);
        var manifest = ReadManifest(runDir);
        audioDir ??= manifest.AudioFolder;
        scoresPath ??= FindScores(runDir);
        captionsPath ??= manifest.Captions ?? FindCaptions(audioDir, runDir);

        var scoreTable = scoresPath is null ? null : ClipScoreTable.ReadCsv(scoresPath);
        if (scoreTable is not null)
        {
            CheckScoresBelongToRun(scoreTable, scoresPath!, dictionary, conceptsPath);
        }

        var captionTable = captionsPath is null ? null : CaptionTable.ReadCsv(captionsPath);
        var clips = audioDir is null ? null : new ClipAudioFolder(audioDir, AudioLoader.DefaultSampleRate, options.ClipSeconds);
        if (clips is not null)
        {
            CheckAudioHoldsTheClips(clips, dictionary);
        }
        AnsiConsole.MarkupLine(
            $"{dictionary.Concepts.Count} concepts from {Markup.Escape(conceptsPath)}; scores: {Markup.Escape(scoresPath ?? "none")}; " +
            $"audio: {Markup.Escape(clips?.Directory ?? "none (pass --audio)")}; captions: {Markup.Escape(captionsPath ?? "none")}.");
        var inputs = new ConceptReportInputs
        {
            Dictionary = dictionary,
            ClipAudio = clips is null ? null : clips.Load,
            SampleRate = AudioLoader.DefaultSampleRate,
            ClipCaptions = captionTable is null ? null : id => CaptionsOf(captionTable, id),
            Scores = scoreTable,
        };
        var shown = Math.Min(dictionary.Concepts.Count, options.MaxConcepts ?? int.MaxValue);
        ProgressDisplay.Run(["rendering concepts"], display =>
            ConceptReport.Save(inputs, outPath, options, new ImmediateProgress<int>(n => display.Report(0, n, Math.Max(1, shown)))));
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(outPath)} ({new FileInfo(outPath).Length / 1024.0 / 1024.0:F1} MiB, {shown} concepts).");
        return 0;
    }

    /// <summary>
    /// Refuses a score table whose columns name none of the run's concepts (nor their latents): the scores of another run.
    /// </summary>
    private static void CheckScoresBelongToRun(ClipScoreTable scores, string scoresPath, ConceptDictionary dictionary, string conceptsPath)
    {
        var headers = ArdMl.Pipeline.ConceptScoreCsv.UniqueNames(dictionary.ConceptNames).ToHashSet(StringComparer.Ordinal);
        var latentHeaders = dictionary.Concepts.SelectMany(c => new[] { $"latent {c.Latent}", $"latent_{c.Latent}" }).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (dictionary.Concepts.Count > 0 && !scores.ColumnNames.Any(c => headers.Contains(c) || latentHeaders.Contains(c)))
        {
            throw new FormatException(
                $"The scores '{scoresPath}' have no column named after a concept of '{conceptsPath}' (their columns: " +
                $"{string.Join(", ", scores.ColumnNames.Take(5))}{(scores.ColumnNames.Count > 5 ? ", ..." : "")}): they are another run's. " +
                "Give this run's concept-scores.csv (or leave --scores out).");
        }
    }

    /// <summary>Refuses an audio folder that holds none of the concepts' top clips; warns when it lacks some.</summary>
    private static void CheckAudioHoldsTheClips(ClipAudioFolder clips, ConceptDictionary dictionary)
    {
        var wanted = dictionary.Concepts.SelectMany(c => c.Top.Concat(c.Bottom)).Select(c => c.ClipId).Distinct(StringComparer.Ordinal).ToList();
        var missing = wanted.Where(id => clips.Resolve(id) is null).ToList();
        if (wanted.Count > 0 && missing.Count == wanted.Count)
        {
            throw new DirectoryNotFoundException(
                $"The audio folder '{clips.Directory}' holds none of the {wanted.Count} top and bottom clips of the concepts (e.g. '{wanted[0]}'): " +
                "give the folder the run was discovered on with --audio.");
        }

        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"warning: {missing.Count} of the {wanted.Count} top and bottom clips are not in '{clips.Directory}' (e.g. '{missing[0]}'); the report shows them without players.");
        }
    }

    /// <summary>A clip's captions by its id, else by its file name (ids are relative to the audio folder, captions may name files).</summary>
    private static IReadOnlyList<string> CaptionsOf(CaptionTable table, string clipId) =>
        table.TextsOf(clipId) is { Count: > 0 } texts ? texts : table.TextsOf(Path.GetFileName(clipId));

    private static string? FindScores(string runDir)
    {
        foreach (var name in ScoreFileNames)
        {
            var path = Path.Combine(runDir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        var csvs = Directory.GetFiles(runDir, "*.csv");
        return csvs.Length == 1 ? csvs[0] : null;
    }

    private static string? FindCaptions(string? audioDir, string runDir)
    {
        var folders = new List<string>();
        if (audioDir is not null)
        {
            folders.Add(audioDir);
            if (Path.GetDirectoryName(Path.GetFullPath(audioDir).TrimEnd(Path.DirectorySeparatorChar)) is { } parent)
            {
                folders.Add(parent);
            }
        }

        folders.Add(runDir);
        return folders.Select(f => Path.Combine(f, "captions.csv")).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The audio folder and captions file a run manifest names: the first string property (top level, or one level
    /// down) whose name mentions audio/clips/corpus, and one that mentions captions; relative paths are resolved
    /// against the run folder. Kept tolerant on purpose: the report does not depend on the manifest's exact shape.
    /// </summary>
    private static (string? AudioFolder, string? Captions) ReadManifest(string runDir)
    {
        var path = ManifestFileNames.Select(n => Path.Combine(runDir, n)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return (null, null);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var strings = new List<(string Name, string Value)>();
        void Collect(JsonElement element, int depth)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    strings.Add((property.Name, property.Value.GetString()!));
                }
                else if (depth == 0)
                {
                    Collect(property.Value, 1);
                }
            }
        }

        Collect(document.RootElement, 0);
        string? Pick(Func<string, bool> nameMatches, Func<string, bool> exists) => strings
            .Where(s => nameMatches(s.Name.ToLowerInvariant()) && s.Value.Length > 0)
            .Select(s => Path.GetFullPath(s.Value, runDir))
            .FirstOrDefault(exists);
        var audio = Pick(n => n.Contains("audio") || n.Contains("clips") || n.Contains("corpus"), Directory.Exists);
        var captions = Pick(n => n.Contains("caption"), File.Exists);
        return (audio, captions);
    }
}
