using System.CommandLine;
using System.Globalization;
using ArdMl.Concepts;
using ArdMl.Pipeline;
using ArdMl.Sae;

namespace ArdMl.Cli.Commands;

/// <summary>The options <c>ard discover</c> and <c>ard sweep</c> share, with one meaning in both.</summary>
internal sealed class DiscoveryCommandOptions
{
    private readonly Option<FileInfo?> _description = new("--model-description", "-d") { Description = "Model description JSON (models/*.json)." };
    private readonly Option<DirectoryInfo?> _audio = new("--audio", "-a") { Description = "Folder of clips (.wav/.flac/.mp3/.ogg, searched recursively)." };
    private readonly Option<DirectoryInfo?> _activations = new("--activations")
    {
        Description = "Activation shard folder (models/SHARDS.md) instead of --audio and --model-description: the SAE and concept stages only; clip ids are the shards' ids.",
    };
    private readonly Option<FileInfo?> _captions = new("--captions") { Description = "Captions CSV (clip,text) to name concepts by their top clips' captions." };
    private readonly Option<FileInfo?> _labels = new("--labels") { Description = "Labels CSV (clip,text); when given, concepts are named by the majority label of their top clips (names eval can map)." };
    private readonly Option<DirectoryInfo> _output = new("--out", "-o") { Description = "Run folder to write.", Required = true };
    private readonly Option<int> _batch = new Option<int>("--batch", "-b") { Description = "Frames per SAE training step.", DefaultValueFactory = _ => DiscoveryOptions.DefaultBatchSize }.AtLeast(1);
    private readonly Option<string> _modelReference = new("--model-reference")
    {
        Description = "How model.zip keeps the ONNX model: embed (default: the zip works on its own) or path (its path and SHA-256 only, "
            + "verified when the zip is loaded; for models whose licence or size forbids copying them into every saved pipeline).",
        DefaultValueFactory = _ => "embed",
    };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed (SAE init/shuffle, random baseline).", DefaultValueFactory = _ => 0UL };
    private readonly Option<int?> _maxClips = new Option<int?>("--max-clips") { Description = "Use at most N clips (the first in path order)." }.AtLeast(1);
    private readonly Option<double?> _maxSeconds = new("--max-seconds") { Description = "Use at most this many seconds of each clip." };
    private readonly Option<int> _workers = new("--workers") { Description = "Extraction workers, each with its own ONNX Runtime session (as in ard extract).", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<double?> _minMs = new("--min-monosemanticity") { Description = "Keep latents with monosemanticity above this (default 1.0).", DefaultValueFactory = _ => ConceptSelectionOptions.DefaultMinimumMonosemanticity };
    private readonly Option<string?> _groupBy = new("--group-by") { Description = "Regular expression finding each clip's group (speaker, recording, category) in its path, e.g. '^\\d+_([a-z]+)_' for FSDD speakers: concepts are kept only where their name holds across groups." };
    private readonly Option<double?> _minDetection = new("--min-detection-score")
    {
        Description = "Keep concepts whose name detects its clips outside the top clips with an average precision of at least this "
            + $"(besides the best concept of each name; default {ConceptDetectionOptions.DefaultMinimumDetectionScore.ToString(CultureInfo.InvariantCulture)}).",
        DefaultValueFactory = _ => ConceptDetectionOptions.DefaultMinimumDetectionScore,
    };
    private readonly Option<bool> _mergeByName = MergeByNameOption();

    private readonly bool _acceptsActivations;

    /// <summary>--merge-by-name, as discover, rank and eval take it.</summary>
    public static Option<bool> MergeByNameOption() => new("--merge-by-name")
    {
        Description = "Keep one concept per name: its concepts merged into one of several latents where that detects the name better "
            + $"on the discovery clips, else its best concept (true or false; default {(ConceptDetectionOptions.DefaultMergeByName ? "true" : "false")}).",
        DefaultValueFactory = _ => ConceptDetectionOptions.DefaultMergeByName,
    };

    /// <summary>Creates the option set; with <paramref name="acceptsActivations"/> the command also takes --activations instead of --audio.</summary>
    public DiscoveryCommandOptions(bool acceptsActivations = false)
    {
        _acceptsActivations = acceptsActivations;
        _modelReference.AcceptOnlyFromAmong("embed", "path");
        _description.Required = !acceptsActivations;
        _audio.Required = !acceptsActivations;
        if (acceptsActivations)
        {
            _description.Description += " Required with --audio.";
        }
    }

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        if (_acceptsActivations)
        {
            command.Add(_activations);
        }

        foreach (var option in new Option[] { _description, _audio, _captions, _labels, _output, _batch, _seed, _maxClips, _maxSeconds, _workers, _minMs, _groupBy, _minDetection, _mergeByName, _modelReference })
        {
            command.Add(option);
        }
    }

    /// <summary>
    /// Whether the command line asks for discovery from activation shards (then <paramref name="options"/> holds them);
    /// <paramref name="error"/> names a wrong combination of --audio, --activations, --model-description, --tap and --max-clips.
    /// </summary>
    public bool ReadActivations(
        ParseResult parse, string? tap, int? latents, int k, int steps, SaeVariant variant, out ActivationDiscoveryOptions? options, out string? error,
        ClipMeanMode? meanMode = null)
    {
        options = null;
        error = null;
        var shards = parse.GetValue(_activations);
        var audio = parse.GetValue(_audio);
        if ((shards is null) == (audio is null))
        {
            error = "Give exactly one of --audio <clip folder> (with --model-description) and --activations <shard folder>.";
            return shards is not null;
        }

        if (shards is null)
        {
            if (parse.GetValue(_description) is null)
            {
                error = "--audio needs --model-description <model.json>.";
            }

            return false;
        }

        if (parse.GetValue(_description) is not null || tap is not null || parse.GetValue(_maxClips) is not null || parse.GetValue(_maxSeconds) is not null
            || parse.GetResult(_modelReference) is { Implicit: false })
        {
            error = "--model-description, --tap, --max-clips, --max-seconds and --model-reference apply to --audio only; shards already hold one model's tap.";
            return true;
        }

        options = new ActivationDiscoveryOptions
        {
            ActivationsDirectory = shards.FullName,
            OutputDirectory = parse.GetValue(_output)!.FullName,
            CaptionsPath = parse.GetValue(_captions)?.FullName,
            LabelsPath = parse.GetValue(_labels)?.FullName,
            LatentCount = latents,
            K = k,
            Steps = steps,
            Variant = variant,
            MeanMode = meanMode,
            BatchSize = parse.GetValue(_batch),
            Seed = parse.GetValue(_seed),
            MinimumMonosemanticity = parse.GetValue(_minMs),
            GroupPattern = parse.GetValue(_groupBy),
            MinimumDetectionScore = parse.GetValue(_minDetection),
            MergeByName = parse.GetValue(_mergeByName),
        };
        return true;
    }

    /// <summary>The discovery options of a parsed command line, with the setting-specific values given.</summary>
    public DiscoveryOptions Read(ParseResult parse, string? tap, int? latents, int k, int steps, SaeVariant variant = SaeVariant.TopK, ClipMeanMode? meanMode = null) => new()
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
        MeanMode = meanMode,
        BatchSize = parse.GetValue(_batch),
        Seed = parse.GetValue(_seed),
        MaxClips = parse.GetValue(_maxClips),
        MaxDurationSeconds = parse.GetValue(_maxSeconds),
        Workers = Math.Max(1, parse.GetValue(_workers)),
        MinimumMonosemanticity = parse.GetValue(_minMs),
        GroupPattern = parse.GetValue(_groupBy),
        MinimumDetectionScore = parse.GetValue(_minDetection),
        MergeByName = parse.GetValue(_mergeByName),
        ModelStorage = parse.GetValue(_modelReference) == "path" ? ArdMl.MlNet.ActivationModelStorage.PathWithChecksum : ArdMl.MlNet.ActivationModelStorage.Embed,
    };
}
