using System.CommandLine;
using System.Globalization;
using ArdMl.Concepts;
using ArdMl.Pipeline;
using ArdMl.Sae;

namespace ArdMl.Cli.Commands;

/// <summary>The options <c>ard discover</c> and <c>ard sweep</c> share, with one meaning in both.</summary>
internal sealed class DiscoveryCommandOptions
{
    private readonly Option<FileInfo> _description = new("--model-description", "-d") { Description = "Model description JSON (models/*.json).", Required = true };
    private readonly Option<DirectoryInfo> _audio = new("--audio", "-a") { Description = "Folder of clips (.wav/.flac/.mp3/.ogg, searched recursively).", Required = true };
    private readonly Option<FileInfo?> _captions = new("--captions") { Description = "Captions CSV (clip,text) to name concepts by their top clips' captions." };
    private readonly Option<FileInfo?> _labels = new("--labels") { Description = "Labels CSV (clip,text); when given, concepts are named by the majority label of their top clips (names eval can map)." };
    private readonly Option<DirectoryInfo> _output = new("--out", "-o") { Description = "Run folder to write.", Required = true };
    private readonly Option<int> _batch = new("--batch") { Description = "Frames per SAE step.", DefaultValueFactory = _ => DiscoveryOptions.DefaultBatchSize };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed (SAE init/shuffle, random baseline).", DefaultValueFactory = _ => 0UL };
    private readonly Option<int?> _maxClips = new("--max-clips") { Description = "Use at most N clips (the first in path order)." };
    private readonly Option<double?> _maxSeconds = new("--max-seconds") { Description = "Use at most this many seconds of each clip." };
    private readonly Option<double?> _minMs = new("--min-monosemanticity") { Description = "Keep latents with monosemanticity above this (default 1.0).", DefaultValueFactory = _ => ConceptSelectionOptions.DefaultMinimumMonosemanticity };
    private readonly Option<string?> _groupBy = new("--group-by") { Description = "Regular expression finding each clip's group (speaker, recording, category) in its path, e.g. '^\\d+_([a-z]+)_' for FSDD speakers: concepts are kept only where their name holds across groups." };
    private readonly Option<double?> _minDetection = new("--min-detection-score")
    {
        Description = "Keep concepts whose name detects its clips outside the top clips with an average precision of at least this "
            + $"(besides the best concept of each name; default {ConceptDetectionOptions.DefaultMinimumDetectionScore.ToString(CultureInfo.InvariantCulture)}).",
        DefaultValueFactory = _ => ConceptDetectionOptions.DefaultMinimumDetectionScore,
    };

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _description, _audio, _captions, _labels, _output, _batch, _seed, _maxClips, _maxSeconds, _minMs, _groupBy, _minDetection })
        {
            command.Add(option);
        }
    }

    /// <summary>The discovery options of a parsed command line, with the setting-specific values given.</summary>
    public DiscoveryOptions Read(ParseResult parse, string? tap, int? latents, int k, int steps, SaeVariant variant = SaeVariant.TopK) => new()
    {
        ModelDescriptionPath = parse.GetValue(_description)!.FullName,
        Tap = tap,
        AudioDirectory = parse.GetValue(_audio)!.FullName,
        OutputDirectory = parse.GetValue(_output)!.FullName,
        CaptionsPath = parse.GetValue(_captions)?.FullName,
        LabelsPath = parse.GetValue(_labels)?.FullName,
        LatentCount = latents,
        K = k,
        Steps = steps,
        Variant = variant,
        BatchSize = parse.GetValue(_batch),
        Seed = parse.GetValue(_seed),
        MaxClips = parse.GetValue(_maxClips),
        MaxDurationSeconds = parse.GetValue(_maxSeconds),
        MinimumMonosemanticity = parse.GetValue(_minMs),
        GroupPattern = parse.GetValue(_groupBy),
        MinimumDetectionScore = parse.GetValue(_minDetection),
    };
}
