using ArdMl.Concepts;
using ArdMl.Evaluation;
using Microsoft.ML;

namespace ArdMl.Pipeline;

/// <summary>Options of <see cref="MethodComparison.Run(string, string, MethodComparisonOptions?, IProgress{BenchmarkMethod}?)"/>.</summary>
public sealed class MethodComparisonOptions
{
    /// <summary>
    /// Group pattern of the clip roles (<see cref="ClipRoleSplit"/>): discovery, calibration and evaluation never share a
    /// group, and the detection score of concepts is averaged over the discovery groups. Null (default): the run's own
    /// group pattern if it had one, else a hash split by clip id.
    /// </summary>
    public string? GroupPattern { get; init; }

    /// <summary>The split's fractions and salt for a hash split. Default <see cref="ClipRoleSplit"/>'s.</summary>
    public ClipRoleSplit Split { get; init; } = new();

    /// <summary>
    /// Whether every method's concepts of one name are merged into one concept of several latents where that detects
    /// the name better on the discovery clips (<see cref="ConceptDetectionOptions.MergeByName"/>). Null (default): as
    /// the run was made.
    /// </summary>
    public bool? MergeByName { get; init; }

    /// <summary>
    /// What the SAE methods rank clips by when they detect a concept (detection score, merge, thresholds, AP): each
    /// method's own ranking criterion (default: μ for mean-only, c for coverage-only, μ·c for AR&amp;D and random clips),
    /// or r = μ·c for every method, so that the methods differ only in how they retrieve, name and select concepts.
    /// </summary>
    public MethodClipScore ClipScore { get; init; } = MethodClipScore.OwnCriterion;

    /// <summary>
    /// What μ averages over in every method (SAE latents and raw units alike): all frames of a clip (μ = Σ x / frames,
    /// so μ·c = ā·c² with ā the mean over active frames) or the active frames only (μ = ā, so μ·c = ā·c), converted
    /// from the run's statistics (μ_all = ā·c). Null (default): as the run was discovered (run.json's meanMode), and
    /// where the run chose its reading on its clips (run.json's meanModeChoice), chosen again in each fold by the same
    /// rule on the fold's discovery clips only (<see cref="ClipMeanModeChoice"/> of the AR&amp;D concepts), then used by
    /// every method of that fold. The probe and the diagnostics keep the run's statistics.
    /// </summary>
    public ClipMeanMode? MeanMode { get; init; }

    /// <summary>
    /// Whether each fold chooses what μ averages over on its discovery clips (<see cref="ClipMeanModeChoice"/>): true
    /// for any run, false never. Null (default): where the run chose its reading, unless <see cref="MeanMode"/> fixes one.
    /// True cannot be combined with <see cref="MeanMode"/>.
    /// </summary>
    public bool? ChooseMeanMode { get; init; }

    /// <summary>Whether the probe ceiling row is computed. Default true.</summary>
    public bool IncludeProbe { get; init; } = true;

    /// <summary>Why concepts fail (<see cref="ConceptDiagnostics"/>, on the AR&amp;D concepts of each fold); null skips them. Default: on, with the defaults.</summary>
    public ConceptDiagnosticsOptions? Diagnostics { get; init; } = new();

    /// <summary>Receives each label the diagnostics measure.</summary>
    public IProgress<ConceptDiagnosticsProgress>? DiagnosticsProgress { get; init; }

    /// <summary>SAE stability over further seeds (<see cref="SaeSeedStability"/>; retrains the SAE, re-extracting audio runs); null (default) skips it.</summary>
    public SaeStabilityOptions? Stability { get; init; }

    /// <summary>Receives re-extraction and training progress of the stability check.</summary>
    public IProgress<DiscoveryProgress>? StabilityProgress { get; init; }
}

/// <summary>What the SAE methods of <see cref="MethodComparison"/> rank clips by when they detect a concept.</summary>
public enum MethodClipScore
{
    /// <summary>Each method's own ranking criterion: μ (mean only), c (coverage only), μ·c (AR&amp;D, random clips).</summary>
    OwnCriterion,

    /// <summary>r = μ·c for every method (AP of the ranking of clips by r, whatever ranked the representative clips).</summary>
    Representativeness,
}

/// <summary>
/// The interpretability benchmark of a discovery run (the paper's Table 1): five methods on the same SAE and clips,
/// plus the probe ceiling. In every fold of a <see cref="ClipRoleSplit"/> each method ranks only the discovery clips
/// with its own criterion (the ranker's baselines), scores monosemanticity on the same clip embeddings, names from the
/// discovery clips' captions or labels, selects concepts by the detection score of their names on the discovery clips
/// (<see cref="ConceptDetectionScorer"/>, the run's threshold), chooses thresholds on the calibration clips and is
/// scored on the evaluation clips; the figures pool the concepts of all folds. The SAE itself was trained by the run
/// on all its clips, without labels.
/// </summary>
public static class MethodComparison
{
    /// <summary>How each method scores a clip for a concept (printed with the table).</summary>
    public static string Explanation(MethodClipScore clipScore) =>
        "Methods: raw neurons = tap units as latents (μ, c from the activations, no SAE), r = μ·c; " +
        "random clips = SAE latents with seeded random representative clips (naming and monosemanticity), detection by r = μ·c; " +
        (clipScore == MethodClipScore.Representativeness
            ? "mean activation only = rank by μ; coverage only = rank by c; AR&D = rank by μ·c; every SAE method detects by r = μ·c; "
            : "mean activation only = rank and detect by μ; coverage only = rank and detect by c; AR&D = rank and detect by μ·c; ") +
        "probe (full layer) = " + ProbeReference.Description + ". " +
        "MS = mean monosemanticity of the concepts; P/R/F1 macro over concepts mapped to a label with positives; mAP = mean average precision; " +
        "mAP/probe = a method's mAP as a share of the probe's.";

    /// <summary>Runs the comparison with default options.</summary>
    /// <param name="runDirectory">The run folder.</param>
    /// <param name="labelsPath">Labels CSV (clip,text; several labels per clip separated by ';' or on several rows).</param>
    /// <param name="progress">Receives the method being evaluated.</param>
    public static MethodComparisonResult Run(string runDirectory, string labelsPath, IProgress<BenchmarkMethod>? progress = null) =>
        Run(runDirectory, labelsPath, null, progress);

    /// <summary>Runs the five methods and the probe on a run folder written by <see cref="DiscoveryPipeline.Discover"/>.</summary>
    /// <param name="runDirectory">The run folder.</param>
    /// <param name="labelsPath">Labels CSV (clip,text; several labels per clip separated by ';' or on several rows).</param>
    /// <param name="options">Split and rows (defaults when null).</param>
    /// <param name="progress">Receives the method being evaluated.</param>
    public static MethodComparisonResult Run(string runDirectory, string labelsPath, MethodComparisonOptions? options, IProgress<BenchmarkMethod>? progress = null)
    {
        options ??= new MethodComparisonOptions();
        if (options.MeanMode is { } requested && !Enum.IsDefined(requested))
        {
            throw new ArgumentOutOfRangeException(nameof(options), requested, "The mean mode must be AllFrames or ActiveFrames.");
        }

        if (!Enum.IsDefined(options.ClipScore))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClipScore, "The clip score must be OwnCriterion or Representativeness.");
        }

        var manifest = DiscoveryManifest.Load(runDirectory);
        var ml = new MLContext(seed: 0);
        var store = ClipStatisticsStore.Load(ml, Path.Combine(runDirectory, manifest.StatisticsFile));
        var runMeanMode = manifest.MeanMode;
        var meanMode = options.MeanMode ?? runMeanMode;
        if (options.ChooseMeanMode == true && options.MeanMode is not null)
        {
            throw new ArgumentException("Either fix the mean mode or let each fold choose it, not both.", nameof(options));
        }

        var choosePerFold = options.ChooseMeanMode ?? (options.MeanMode is null && manifest.MeanModeChoice is not null);
        var saeMeansOf = new Dictionary<ClipMeanMode, IReadOnlyList<float[]>>();
        var rawMeansOf = new Dictionary<ClipMeanMode, IReadOnlyList<float[]>>();
        IReadOnlyList<float[]> SaeMeans(ClipMeanMode mode) => saeMeansOf.TryGetValue(mode, out var means)
            ? means
            : saeMeansOf[mode] = MeansOf(store.MeanActivation, store.Coverage, runMeanMode, mode);
        IReadOnlyList<float[]> RawMeans(ClipMeanMode mode) => rawMeansOf.TryGetValue(mode, out var means)
            ? means
            : rawMeansOf[mode] = MeansOf(store.RawMeanActivation, store.RawCoverage, ClipMeanMode.AllFrames, mode); // raw units: always all frames in the store
        var allLabels = ClipLabelSet.ReadCsv(labelsPath);
        var labels = new ClipLabelSet(store.ClipIds.Where(allLabels.Contains)
            .Select(c => new KeyValuePair<string, IEnumerable<string>>(c, allLabels.LabelsOf(c))));
        if (labels.ClipIds.Count == 0)
        {
            throw new InvalidDataException($"None of the {store.ClipIds.Count} clips of run '{runDirectory}' has a label in '{labelsPath}' (clip ids are paths relative to the audio folder).");
        }

        var namingFile = manifest.NamingSource switch
        {
            "labels" => manifest.LabelsPath,
            "captions" => manifest.CaptionsPath,
            _ => null,
        };
        var namingKind = manifest.NamingSource == "labels" ? CaptionKind.Labels : CaptionKind.Captions;
        var texts = namingFile is null ? null : CaptionTable.ReadCsv(namingFile, store.ClipIds);
        var groupPattern = options.GroupPattern ?? manifest.GroupPattern;
        var mergeByName = options.MergeByName ?? manifest.MergeByName;
        var folds = options.Split.Folds(store.ClipIds, groupPattern);
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < store.ClipIds.Count; i++)
        {
            rowOf[store.ClipIds[i]] = i;
        }

        var perMethod = new Dictionary<BenchmarkMethod, List<MethodComparisonFold>>();
        foreach (var fold in folds)
        {
            var discovery = fold.ClipsOf(ClipRole.Discovery).Select(c => rowOf[c]).ToArray();
            var calibration = fold.ClipsOf(ClipRole.Calibration).Where(labels.Contains).ToList();
            var evaluation = fold.ClipsOf(ClipRole.Evaluation).Where(labels.Contains).ToList();
            if (calibration.Count == 0 || evaluation.Count == 0)
            {
                throw new InvalidDataException($"Fold '{fold.Name}' has no labelled {(calibration.Count == 0 ? "calibration" : "evaluation")} clips; label more clips of every group.");
            }

            CaptionCorpus? corpus = texts is null ? null : CaptionCorpus.Create(
                CaptionTable.FromPairs(discovery.SelectMany(r => texts.TextsOf(store.ClipIds[r]).Select(t => (store.ClipIds[r], t)))),
                namingKind);
            var scored = calibration.Concat(evaluation).ToList();
            var index = ClipScoreColumn.IndexOf(scored);
            var scoredRows = scored.Select(c => rowOf[c]).ToArray();
            var foldMeanMode = meanMode;
            ClipMeanModeChoice? foldChoice = null;
            ConceptDictionary? chosenArd = null;
            if (choosePerFold)
            {
                // The run's rule on this fold's discovery clips only: AR&D's concepts under both readings of μ.
                var ardScore = ClipScoreOf(BenchmarkMethod.Ard, options.ClipScore);
                var all = Discover(BenchmarkMethod.Ard, ardScore, store, SaeMeans(ClipMeanMode.AllFrames), discovery, corpus, manifest, groupPattern, mergeByName);
                var active = Discover(BenchmarkMethod.Ard, ardScore, store, SaeMeans(ClipMeanMode.ActiveFrames), discovery, corpus, manifest, groupPattern, mergeByName);
                foldChoice = corpus is null ? new ClipMeanModeChoice(0, 0) : ClipMeanModeChoice.Measure(
                    Fed(all, SaeMeans(ClipMeanMode.AllFrames)), Fed(active, SaeMeans(ClipMeanMode.ActiveFrames)));
                ConceptDetectionScorer Fed(ConceptDictionary dictionary, IReadOnlyList<float[]> means)
                {
                    var scorer = new ConceptDetectionScorer(dictionary, corpus, new ConceptDetectionOptions { GroupPattern = groupPattern });
                    foreach (var row in discovery)
                    {
                        scorer.Add(store.ClipIds[row], means[row], store.Coverage[row]);
                    }

                    return scorer;
                }

                foldMeanMode = foldChoice.Chosen;
                chosenArd = foldMeanMode == ClipMeanMode.ActiveFrames ? active : all;
            }

            var saeMeans = SaeMeans(foldMeanMode);
            var rawMeans = RawMeans(foldMeanMode);
            foreach (var method in Enum.GetValues<BenchmarkMethod>().Where(m => m != BenchmarkMethod.Probe))
            {
                progress?.Report(method);
                var clipScore = ClipScoreOf(method, options.ClipScore);
                var dictionary = method == BenchmarkMethod.Ard && chosenArd is not null
                    ? chosenArd
                    : Discover(method, clipScore, store, method == BenchmarkMethod.RawNeurons ? rawMeans : saeMeans, discovery, corpus, manifest, groupPattern, mergeByName);
                bool raw = method == BenchmarkMethod.RawNeurons;
                var means = raw ? rawMeans : saeMeans;
                var coverages = raw ? store.RawCoverage : store.Coverage;
                var columns = new float[dictionary.Concepts.Count][];
                var rowScores = new float[dictionary.Concepts.Count];
                for (var c = 0; c < columns.Length; c++)
                {
                    columns[c] = new float[scoredRows.Length];
                }

                for (int j = 0; j < scoredRows.Length; j++)
                {
                    dictionary.Score(clipScore, means[scoredRows[j]], coverages[scoredRows[j]], rowScores);
                    for (var c = 0; c < columns.Length; c++)
                    {
                        columns[c][j] = rowScores[c];
                    }
                }

                var concepts = dictionary.Concepts
                    .Select((concept, c) => new BenchmarkConcept(concept.Name, new ClipScoreColumn(index, columns[c]), concept.Monosemanticity))
                    .ToList();
                var result = new InterpretabilityBenchmark().Evaluate(DisplayName(method), concepts, labels, calibration, evaluation);
                Add(perMethod, method, new MethodComparisonFold(fold.Name, dictionary, result) { MeanMode = foldMeanMode, MeanModeChoice = foldChoice });
            }

            if (options.IncludeProbe)
            {
                progress?.Report(BenchmarkMethod.Probe);
                var train = fold.ClipsOf(ClipRole.Discovery).Where(labels.Contains).ToList();
                var probe = ProbeReference.Evaluate(ml, store, rowOf, labels, train, calibration, evaluation, DisplayName(BenchmarkMethod.Probe));
                Add(perMethod, BenchmarkMethod.Probe, new MethodComparisonFold(fold.Name, null, probe) { MeanMode = runMeanMode });
            }
        }

        var rows = perMethod.Select(p => new MethodComparisonRow(p.Key, p.Value, Pooled(DisplayName(p.Key), p.Value))).ToList();
        var diagnostics = options.Diagnostics is null
            ? null
            : ConceptDiagnostics.Evaluate(
                store,
                labels,
                [.. folds.Select((f, i) => new ConceptDiagnosticsFold(f, perMethod[BenchmarkMethod.Ard][i].Dictionary))],
                groupPattern,
                options.Diagnostics,
                options.DiagnosticsProgress);
        var stability = options.Stability is null ? null : SaeSeedStability.Measure(runDirectory, options.Stability, options.StabilityProgress);
        return new MethodComparisonResult(rows, labels.ClipIds.Count, Path.GetFullPath(labelsPath), folds, groupPattern)
        {
            Diagnostics = diagnostics,
            Stability = stability,
            MergeByName = mergeByName,
            ClipScore = options.ClipScore,
            MeanMode = choosePerFold ? MostFolds(perMethod[BenchmarkMethod.Ard]) : meanMode,
            MeanModeChosenPerFold = choosePerFold,
        };
    }

    /// <summary>The reading of μ most folds used (ties: all frames).</summary>
    private static ClipMeanMode MostFolds(IReadOnlyList<MethodComparisonFold> folds) =>
        folds.Count(f => f.MeanMode == ClipMeanMode.ActiveFrames) * 2 > folds.Count ? ClipMeanMode.ActiveFrames : ClipMeanMode.AllFrames;

    /// <summary>The row name of a method in the table.</summary>
    /// <param name="method">The method.</param>
    public static string DisplayName(BenchmarkMethod method) => method switch
    {
        BenchmarkMethod.RawNeurons => "raw neurons",
        BenchmarkMethod.RandomRepresentatives => "random clips",
        BenchmarkMethod.MeanActivationOnly => "mean activation only",
        BenchmarkMethod.CoverageOnly => "coverage only",
        BenchmarkMethod.Ard => "AR&D (mean x coverage)",
        BenchmarkMethod.Probe => "probe (full layer)",
        _ => method.ToString(),
    };

    /// <summary>The ranking criterion of a method (raw neurons rank by μ·c; random clips detect by μ·c).</summary>
    private static RankingCriterion Criterion(BenchmarkMethod method) => method switch
    {
        BenchmarkMethod.RandomRepresentatives => RankingCriterion.Random,
        BenchmarkMethod.MeanActivationOnly => RankingCriterion.MeanActivation,
        BenchmarkMethod.CoverageOnly => RankingCriterion.Coverage,
        _ => RankingCriterion.MeanTimesCoverage,
    };

    /// <summary>
    /// Each clip's μ, stored as <paramref name="stored"/> averages it, as <paramref name="wanted"/> averages it:
    /// μ_all = ā·c, so ā = μ_all / c (0 where the unit never fires) and μ_all = ā·c.
    /// </summary>
    private static IReadOnlyList<float[]> MeansOf(List<float[]> means, List<float[]> coverage, ClipMeanMode stored, ClipMeanMode wanted)
    {
        if (stored == wanted)
        {
            return means;
        }

        var converted = new float[means.Count][];
        for (var row = 0; row < converted.Length; row++)
        {
            var (mean, share) = (means[row], coverage[row]);
            var values = converted[row] = new float[mean.Length];
            for (var j = 0; j < values.Length; j++)
            {
                values[j] = wanted == ClipMeanMode.ActiveFrames
                    ? (share[j] > 0 ? mean[j] / share[j] : 0f)
                    : mean[j] * share[j];
            }
        }

        return converted;
    }

    /// <summary>The clip score a method detects concepts by: μ·c, or its own criterion (random clips: μ·c either way).</summary>
    private static RankingCriterion ClipScoreOf(BenchmarkMethod method, MethodClipScore clipScore) =>
        clipScore == MethodClipScore.Representativeness || method == BenchmarkMethod.RandomRepresentatives
            ? RankingCriterion.MeanTimesCoverage
            : Criterion(method);

    /// <summary>
    /// Rank, score, name and select the concepts of <paramref name="method"/> from the discovery rows only; the
    /// detection score (and the merge by name) ranks clips by <paramref name="clipScore"/>.
    /// </summary>
    private static ConceptDictionary Discover(
        BenchmarkMethod method, RankingCriterion clipScore, ClipStatisticsStore store, IReadOnlyList<float[]> means, int[] discovery, CaptionCorpus? corpus,
        DiscoveryManifest manifest, string? groupPattern, bool mergeByName)
    {
        bool raw = method == BenchmarkMethod.RawNeurons;
        var coverages = raw ? store.RawCoverage : store.Coverage;
        var criterion = Criterion(method);
        var ranker = new ConceptRanker(raw ? store.Width : store.LatentCount, new ConceptRankerOptions
        {
            Criterion = criterion,
            ClipsPerSet = manifest.ClipsPerSet,
            RandomSeed = manifest.Seed,
        });
        foreach (var row in discovery)
        {
            ranker.AddClip(store.ClipIds[row], means[row], coverages[row]);
        }

        var ranking = ranker.Complete();
        var embeddings = new ClipEmbeddingCollector(ranking);
        foreach (var row in discovery)
        {
            if (embeddings.IsComplete)
            {
                break;
            }

            if (embeddings.IsRequired(store.ClipIds[row]))
            {
                embeddings.Offer(store.ClipIds[row], store.Embedding[row]);
            }
        }

        var scores = MonosemanticityScorer.Score(ranking, embeddings);
        var dictionary = ConceptDictionaryBuilder.BuildAsync(
                ranking,
                scores,
                new ConceptSelectionOptions { MinimumMonosemanticity = manifest.MinimumMonosemanticity, ConceptCount = manifest.ConceptCount },
                corpus)
            .GetAwaiter().GetResult();
        if (corpus is null || dictionary.Concepts.Count == 0)
        {
            return dictionary;
        }

        var detection = new ConceptDetectionOptions { GroupPattern = groupPattern, MinimumDetectionScore = manifest.MinimumDetectionScore, MergeByName = mergeByName };
        var scorer = new ConceptDetectionScorer(dictionary, corpus, detection, clipScore);
        foreach (var row in discovery)
        {
            scorer.Add(store.ClipIds[row], means[row], coverages[row]);
        }

        return scorer.SelectConcepts();
    }

    private static void Add(Dictionary<BenchmarkMethod, List<MethodComparisonFold>> perMethod, BenchmarkMethod method, MethodComparisonFold fold)
    {
        if (!perMethod.TryGetValue(method, out var list))
        {
            perMethod[method] = list = [];
        }

        list.Add(fold);
    }

    private static InterpretabilityBenchmarkResult Pooled(string name, IReadOnlyList<MethodComparisonFold> folds) =>
        folds.Count == 1
            ? folds[0].Result
            : new InterpretabilityBenchmarkResult(
                name,
                [.. folds.SelectMany(f => f.Result.Concepts)],
                folds.Sum(f => f.Result.HeldOutClipCount),
                folds.Sum(f => f.Result.EvaluationClipCount));
}
