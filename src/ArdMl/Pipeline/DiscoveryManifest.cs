namespace ArdMl.Pipeline;

/// <summary>A clip left out of a run, with the reason.</summary>
/// <param name="Clip">Clip id (path relative to the audio folder).</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record SkippedClipEntry(string Clip, string Reason);

/// <summary>
/// run.json: what a discovery run did (inputs, options, counts, skipped clips) and where its files are, so that
/// <c>ard eval</c> and <c>ard report</c> find everything from the run folder.
/// </summary>
public sealed class DiscoveryManifest
{
    /// <summary>File name of the manifest inside a run folder.</summary>
    public const string FileName = "run.json";

    /// <summary>File name of the saved ML.NET model.</summary>
    public const string ModelFileName = "model.zip";

    /// <summary>File name of the concept dictionary JSON.</summary>
    public const string ConceptsFileName = "concepts.json";

    /// <summary>File name of the per-clip concept scores CSV.</summary>
    public const string ScoresFileName = "concept-scores.csv";

    /// <summary>File name of the per-clip statistics (ML.NET binary .idv) that eval reads.</summary>
    public const string StatisticsFileName = "clip-statistics.idv";

    /// <summary>Current manifest version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always "ardml.run".</summary>
    public const string FormatName = "ardml.run";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Manifest version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>When the run finished (UTC, ISO 8601).</summary>
    public string CreatedUtc { get; init; } = "";

    /// <summary>Absolute path of the model description JSON.</summary>
    public string ModelDescription { get; init; } = "";

    /// <summary>The tap recorded.</summary>
    public string Tap { get; init; } = "";

    /// <summary>Absolute path of the audio folder; empty for a run made from activation shards.</summary>
    public string AudioDirectory { get; init; } = "";

    /// <summary>Absolute path of the activation shard folder of a run made from activations (<c>ard discover --activations</c>), or null.</summary>
    public string? ActivationsDirectory { get; init; }

    /// <summary>Captions CSV given (absolute), or null.</summary>
    public string? CaptionsPath { get; init; }

    /// <summary>Labels CSV given (absolute), or null.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>What named the concepts: "labels", "captions" or "none" (latent indices).</summary>
    public string NamingSource { get; init; } = "none";

    /// <summary>Activation width d of the tap.</summary>
    public int ActivationWidth { get; init; }

    /// <summary>SAE latents m.</summary>
    public int LatentCount { get; init; }

    /// <summary>Active latents per frame k.</summary>
    public int K { get; init; }

    /// <summary>The SAE variant's name ("topk", "batchtopk", "matryoshka-batchtopk").</summary>
    public string Variant { get; init; } = "topk";

    /// <summary>What the clips' μ averages over (all frames unless the run chose the active ones).</summary>
    public Concepts.ClipMeanMode MeanMode { get; init; } = Concepts.ClipMeanMode.AllFrames;

    /// <summary>
    /// How the run chose <see cref="MeanMode"/> on its clips (the names' criterion under each reading), or null where
    /// the mode was given or nothing named the concepts. Eval chooses again in each fold on that fold's discovery clips.
    /// </summary>
    public ClipMeanModeChoice? MeanModeChoice { get; init; }

    /// <summary>SAE training steps.</summary>
    public int Steps { get; init; }

    /// <summary>Frames per SAE step.</summary>
    public int BatchSize { get; init; }

    /// <summary>Seed of the run.</summary>
    public ulong Seed { get; init; }

    /// <summary>Clip limit given, or null.</summary>
    public int? MaxClips { get; init; }

    /// <summary>Representative clips per set (p).</summary>
    public int ClipsPerSet { get; init; }

    /// <summary>Monosemanticity threshold of concept selection, or null.</summary>
    public double? MinimumMonosemanticity { get; init; }

    /// <summary>Concept limit, or null.</summary>
    public int? ConceptCount { get; init; }

    /// <summary>The group pattern of the detection score, or null (one group).</summary>
    public string? GroupPattern { get; init; }

    /// <summary>Detection-score threshold of concept selection, or null.</summary>
    public double? MinimumDetectionScore { get; init; }

    /// <summary>Whether the concepts of one name were merged into concepts of several latents (false in runs made before the option).</summary>
    public bool MergeByName { get; init; }

    /// <summary>Audio files found (after the clip limit).</summary>
    public int ClipsFound { get; init; }

    /// <summary>Clips that made it through the whole pipeline.</summary>
    public int ClipsUsed { get; init; }

    /// <summary>Activation frames over all clips used.</summary>
    public long FrameCount { get; init; }

    /// <summary>Final FVU of the SAE (fraction of variance unexplained).</summary>
    public double FinalFvu { get; init; }

    /// <summary>Share of dead latents at the end of SAE training.</summary>
    public double DeadFraction { get; init; }

    /// <summary>Concepts in the dictionary.</summary>
    public int ConceptsFound { get; init; }

    /// <summary>Latents that never fired on the corpus.</summary>
    public int DeadLatents { get; init; }

    /// <summary>Seconds spent per stage, by stage name.</summary>
    public Dictionary<string, double> StageSeconds { get; init; } = [];

    /// <summary>Clips left out, with reasons.</summary>
    public List<SkippedClipEntry> SkippedClips { get; init; } = [];

    /// <summary>Model file, relative to the run folder.</summary>
    public string ModelFile { get; init; } = ModelFileName;

    /// <summary>Concept dictionary file, relative to the run folder.</summary>
    public string ConceptsFile { get; init; } = ConceptsFileName;

    /// <summary>Concept scores CSV, relative to the run folder.</summary>
    public string ScoresFile { get; init; } = ScoresFileName;

    /// <summary>Per-clip statistics (.idv), relative to the run folder.</summary>
    public string StatisticsFile { get; init; } = StatisticsFileName;

    /// <summary>Writes the manifest as run.json into <paramref name="runDirectory"/> (through a temporary file, so it appears whole).</summary>
    /// <param name="runDirectory">The run folder.</param>
    public void Save(string runDirectory) => ManifestJson.Write(Path.Combine(runDirectory, FileName), this);

    /// <summary>Reads run.json from a run folder; throws <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/> naming the file.</summary>
    /// <param name="runDirectory">The run folder written by discover.</param>
    public static DiscoveryManifest Load(string runDirectory) => ManifestJson.Read<DiscoveryManifest>(
        Path.Combine(runDirectory, FileName),
        $"'{runDirectory}' is not a discovery run folder: {FileName} is missing (run 'ard discover' first).",
        FormatName,
        CurrentVersion,
        m => m.Format,
        m => m.Version);
}
