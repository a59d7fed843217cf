using System.Globalization;
using System.Text.Json;
using ArdMl.Concepts;
using ArdMl.Sae;

namespace ArdMl.Pipeline;

/// <summary>One setting of a <see cref="DiscoverySweep"/>: a tap, an SAE size and variant.</summary>
/// <param name="Tap">The tap; null = the description's default tap.</param>
/// <param name="LatentCount">SAE latents m; null = the discovery default.</param>
/// <param name="K">Active latents per frame.</param>
/// <param name="Steps">SAE training steps.</param>
/// <param name="Variant">The SAE's sparsity rule.</param>
/// <param name="MeanMode">What the clips' μ averages over; null (default): chosen by the run on its clips (<see cref="ClipMeanModeChoice"/>).</param>
public sealed record DiscoverySweepSetting(string? Tap, int? LatentCount, int K, int Steps, SaeVariant Variant = SaeVariant.TopK, ClipMeanMode? MeanMode = null)
{
    /// <summary>A folder-safe label of the setting.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{(Tap is null ? "default-tap" : new string([.. Tap.Select(c => char.IsLetterOrDigit(c) ? c : '_')]).Trim('_'))}-m{(LatentCount is { } m ? m.ToString(CultureInfo.InvariantCulture) : "4d")}-k{K}-s{Steps}{(Variant == SaeVariant.TopK ? "" : "-" + SaeLensFormat.VariantName(Variant))}{MeanMode switch { ClipMeanMode.ActiveFrames => "-active", ClipMeanMode.AllFrames => "-all", _ => "" }}");
}

/// <summary>One row of a sweep's outcome.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="RunDirectory">Its run folder.</param>
/// <param name="Criterion">The discovery-side criterion (see <see cref="DiscoverySweep"/>).</param>
/// <param name="Concepts">Concepts kept.</param>
/// <param name="NamesFound">Distinct concept names.</param>
/// <param name="Fvu">The SAE's final FVU.</param>
/// <param name="MeanMode">What the run's μ averages over (the setting's, or the run's own choice).</param>
public sealed record DiscoverySweepRow(DiscoverySweepSetting Setting, string RunDirectory, double Criterion, int Concepts, int NamesFound, double Fvu, ClipMeanMode MeanMode);

/// <summary>What <see cref="DiscoverySweep.Run"/> produced.</summary>
/// <param name="Rows">One row per setting, in the order given.</param>
/// <param name="Chosen">The row with the highest criterion (ties: the earlier setting).</param>
public sealed record DiscoverySweepResult(IReadOnlyList<DiscoverySweepRow> Rows, DiscoverySweepRow Chosen);

/// <summary>
/// Chooses the tap and SAE size of a discovery run by a criterion computed on the discovery clips only, never on
/// evaluation labels: each setting is a full <see cref="DiscoveryPipeline.Discover"/> run (in <c>&lt;out&gt;/sweep/&lt;setting&gt;</c>),
/// and its criterion is the mean, over every concept name that any setting found, of the best detection score of a
/// concept with that name in this setting (0 where the setting has none). Detection scores are measured outside each
/// concept's H clips, averaged over groups when a group pattern is given (<see cref="ConceptDetectionScorer"/>), so a
/// setting wins by naming more of the corpus's concepts with latents that hold across clips and groups. The chosen
/// run's files are copied to <c>&lt;out&gt;</c>, where <c>ard eval</c> and <c>ard apply</c> read them.
/// Needs captions or labels (the criterion is about names).
/// </summary>
public static class DiscoverySweep
{
    /// <summary>The sweep's summary file in the output folder.</summary>
    public const string FileName = "sweep.json";

    /// <summary>Runs every setting and copies the chosen run to <see cref="ConceptStageOptions.OutputDirectory"/>.</summary>
    /// <param name="options">The discovery options every setting starts from (tap, m, k, steps, variant and mean mode are replaced by each setting's).</param>
    /// <param name="settings">The settings to try (at least one).</param>
    /// <param name="progress">Stage progress of the setting being run.</param>
    /// <param name="settingStarted">Called with each setting before it runs.</param>
    public static DiscoverySweepResult Run(
        DiscoveryOptions options,
        IReadOnlyList<DiscoverySweepSetting> settings,
        IProgress<DiscoveryProgress>? progress = null,
        Action<DiscoverySweepSetting>? settingStarted = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Count == 0)
        {
            throw new ArgumentException("A sweep needs at least one setting.", nameof(settings));
        }

        if (options.CaptionsPath is null && options.LabelsPath is null)
        {
            throw new ArgumentException("A sweep chooses by how well concept names hold: give captions or labels.", nameof(options));
        }

        var output = Path.GetFullPath(options.OutputDirectory);
        var runs = new List<(DiscoverySweepSetting Setting, DiscoveryResult Result)>();
        foreach (var setting in settings)
        {
            settingStarted?.Invoke(setting);
            var folder = Path.Combine(output, "sweep", setting.Label);
            var run = DiscoveryPipeline.Discover(
                new DiscoveryOptions
                {
                    ModelDescriptionPath = options.ModelDescriptionPath,
                    Tap = setting.Tap,
                    AudioDirectory = options.AudioDirectory,
                    OutputDirectory = folder,
                    CaptionsPath = options.CaptionsPath,
                    LabelsPath = options.LabelsPath,
                    LatentCount = setting.LatentCount,
                    K = setting.K,
                    Steps = setting.Steps,
                    Variant = setting.Variant,
                    MeanMode = setting.MeanMode,
                    BatchSize = options.BatchSize,
                    Seed = options.Seed,
                    MaxClips = options.MaxClips,
                    MaxDurationSeconds = options.MaxDurationSeconds,
                    Workers = options.Workers,
                    ClipsPerSet = options.ClipsPerSet,
                    MinimumMonosemanticity = options.MinimumMonosemanticity,
                    ConceptCount = options.ConceptCount,
                    GroupPattern = options.GroupPattern,
                    MinimumDetectionScore = options.MinimumDetectionScore,
                    MergeByName = options.MergeByName,
                    ModelStorage = options.ModelStorage,
                },
                progress);
            runs.Add((setting, run));
        }

        var names = runs.SelectMany(r => r.Result.Dictionary.Concepts.Select(c => CaptionPhrases.LabelKey(c.Name)))
            .Distinct(StringComparer.Ordinal).ToList();
        var rows = runs.Select(r => new DiscoverySweepRow(
            r.Setting,
            r.Result.RunDirectory,
            Criterion(r.Result.Dictionary, names),
            r.Result.Dictionary.Concepts.Count,
            r.Result.Dictionary.Concepts.Select(c => CaptionPhrases.LabelKey(c.Name)).Distinct(StringComparer.Ordinal).Count(),
            r.Result.Manifest.FinalFvu,
            r.Result.Manifest.MeanMode)).ToList();
        var chosen = rows.Select((row, i) => (row, i)).OrderByDescending(x => x.row.Criterion).ThenBy(x => x.i).First().row;
        foreach (var file in Directory.EnumerateFiles(chosen.RunDirectory))
        {
            File.Copy(file, Path.Combine(output, Path.GetFileName(file)), overwrite: true);
        }

        var result = new DiscoverySweepResult(rows, chosen);
        File.WriteAllText(Path.Combine(output, FileName), ToJson(result));
        return result;
    }

    /// <summary>
    /// The sweep criterion of one dictionary: the mean over <paramref name="names"/> (name keys) of the best detection
    /// score among its concepts of that name, 0 where it has none or the score is missing.
    /// </summary>
    public static double Criterion(ConceptDictionary dictionary, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return 0;
        }

        var best = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var concept in dictionary.Concepts)
        {
            var key = CaptionPhrases.LabelKey(concept.Name);
            var score = concept.DetectionScore is { } s && double.IsFinite(s) ? s : 0;
            best[key] = Math.Max(best.GetValueOrDefault(key), score);
        }

        return names.Sum(n => best.GetValueOrDefault(n)) / names.Count;
    }

    private static string ToJson(DiscoverySweepResult result) => JsonSerializer.Serialize(
        new
        {
            format = "ardml.sweep",
            version = 1,
            criterion = "mean over all names found of the best detection score of a concept with that name (discovery clips only)",
            chosen = result.Chosen.Setting.Label,
            settings = result.Rows.Select(r => new
            {
                label = r.Setting.Label,
                tap = r.Setting.Tap,
                latents = r.Setting.LatentCount,
                k = r.Setting.K,
                steps = r.Setting.Steps,
                variant = SaeLensFormat.VariantName(r.Setting.Variant),
                meanMode = r.Setting.MeanMode?.ToString() ?? "auto",
                chosenMeanMode = r.MeanMode.ToString(),
                run = r.RunDirectory,
                r.Criterion,
                r.Concepts,
                r.NamesFound,
                r.Fvu,
            }),
        },
        new JsonSerializerOptions { WriteIndented = true });
}
