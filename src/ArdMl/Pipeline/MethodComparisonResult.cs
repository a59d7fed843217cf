using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArdMl.Concepts;
using ArdMl.Evaluation;

namespace ArdMl.Pipeline;

/// <summary>One fold of one method: the dictionary it found on the fold's discovery clips (null for the probe) and its scores.</summary>
/// <param name="Fold">The fold's name.</param>
/// <param name="Dictionary">Concepts the method selected and named.</param>
/// <param name="Result">The fold's benchmark scores.</param>
public sealed record MethodComparisonFold(string Fold, ConceptDictionary? Dictionary, InterpretabilityBenchmarkResult Result)
{
    /// <summary>What μ averaged over in this fold (the probe: the run's statistics).</summary>
    public ClipMeanMode MeanMode { get; init; }

    /// <summary>How the fold chose <see cref="MeanMode"/> on its discovery clips, or null where the reading was fixed.</summary>
    public ClipMeanModeChoice? MeanModeChoice { get; init; }
}

/// <summary>One row of the comparison: a method, its folds and the scores pooled over the folds' concepts.</summary>
/// <param name="Method">The method.</param>
/// <param name="Folds">Per fold.</param>
/// <param name="Result">Pooled over folds (every fold's concepts in one average).</param>
public sealed record MethodComparisonRow(BenchmarkMethod Method, IReadOnlyList<MethodComparisonFold> Folds, InterpretabilityBenchmarkResult Result);

/// <summary>The five methods of the paper's Table 1 and the probe ceiling, measured on one run's SAE and clips.</summary>
public sealed class MethodComparisonResult
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    internal MethodComparisonResult(
        IReadOnlyList<MethodComparisonRow> rows, int labelledClips, string labelsPath, IReadOnlyList<ClipRoleFold> folds, string? groupPattern)
    {
        Rows = rows;
        LabelledClipCount = labelledClips;
        LabelsPath = labelsPath;
        Folds = folds;
        GroupPattern = groupPattern;
        Table = new BenchmarkTable();
        foreach (var row in rows)
        {
            Table.Add(row.Method, row.Result);
        }
    }

    /// <summary>Rows in table order.</summary>
    public IReadOnlyList<MethodComparisonRow> Rows { get; }

    /// <summary>The table (text and Markdown).</summary>
    public BenchmarkTable Table { get; }

    /// <summary>Clips of the run that have labels.</summary>
    public int LabelledClipCount { get; }

    /// <summary>The labels CSV used.</summary>
    public string LabelsPath { get; }

    /// <summary>The roles of the clips in each fold.</summary>
    public IReadOnlyList<ClipRoleFold> Folds { get; }

    /// <summary>The group pattern of the split, or null (hash split).</summary>
    public string? GroupPattern { get; }

    /// <summary>Why concepts fail: sparse probing, erasure and group concentration per label, or null when not computed.</summary>
    public ConceptDiagnosticsResult? Diagnostics { get; init; }

    /// <summary>SAE stability over seeds, or null when not computed.</summary>
    public SaeStabilityResult? Stability { get; init; }

    /// <summary>Whether each method's concepts of one name were merged into concepts of several latents (on the discovery clips).</summary>
    public bool MergeByName { get; init; }

    /// <summary>What μ averaged over in every method (chosen per fold: the reading of most folds, see <see cref="MethodComparisonFold.MeanMode"/>).</summary>
    public ClipMeanMode MeanMode { get; init; }

    /// <summary>Whether each fold chose what μ averages over on its discovery clips (<see cref="ClipMeanModeChoice"/>), as the run did.</summary>
    public bool MeanModeChosenPerFold { get; init; }

    /// <summary>What the SAE methods ranked clips by when they detected concepts.</summary>
    public MethodClipScore ClipScore { get; init; }

    /// <summary>Which clips each step saw, in a few sentences.</summary>
    public string Protocol
    {
        get
        {
            var counts = string.Join("; ", Folds.Select(f => string.Create(CultureInfo.InvariantCulture,
                $"{f.Name}: {f.ClipsOf(ClipRole.Discovery).Count} discovery, {f.ClipsOf(ClipRole.Calibration).Count} calibration, {f.ClipsOf(ClipRole.Evaluation).Count} evaluation")));
            var split = GroupPattern is null
                ? "Clips are split by a hash of their id into discovery, calibration and evaluation (one fold)"
                : $"Clips are grouped by '{GroupPattern}'; each group in turn is the evaluation group, the next one the calibration group and the rest discovery, so no two roles share a group ({Folds.Count} folds, figures pooled over the folds' concepts)";
            return split + ". The SAE was trained by the run on all its clips without labels; ranking, monosemanticity, naming and "
                + "concept selection (detection score"
                + (MergeByName ? ", and the merge of each method's concepts of one name into one concept of several latents where that detects the name better" : "")
                + ") see only the discovery clips and their texts, thresholds are chosen on the calibration clips, "
                + "and every figure is computed on the evaluation clips. The probe is trained on the labelled discovery clips. "
                + (ClipScore == MethodClipScore.Representativeness
                    ? "Every SAE method detects its concepts by r = μ·c; the methods differ in how they rank clips to retrieve, name and select concepts. "
                    : "Each SAE method detects its concepts by its own ranking criterion. ")
                + MeanModeSentence()
                + "Clips per fold: " + counts + ".";
        }
    }

    private string MeanModeSentence()
    {
        if (!MeanModeChosenPerFold)
        {
            return MeanMode == ClipMeanMode.ActiveFrames ? "μ is averaged over the frames where a unit fires (μ·c = ā·c). " : "";
        }

        var folds = Rows.First(r => r.Method == BenchmarkMethod.Ard).Folds;
        var active = folds.Count(f => f.MeanMode == ClipMeanMode.ActiveFrames);
        return string.Create(CultureInfo.InvariantCulture,
            $"What μ averages over was chosen in each fold on its discovery clips, as the run chose it (the AR&D names' detection criterion under each reading; every method of the fold uses the reading chosen): the frames where a unit fires (μ·c = ā·c) in {active} of {folds.Count} folds{(active == folds.Count ? "" : ", all frames in the others")}. ");
    }

    /// <summary>A Markdown document: protocol, the table, per-method concept counts and how each method scores clips.</summary>
    public string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        text.Append("# Interpretability benchmark\n\n");
        text.Append($"Labels: `{LabelsPath}` ({LabelledClipCount} labelled clips of the run).\n\n");
        text.Append(Protocol).Append("\n\n");
        text.Append(Table.ToMarkdown()).Append('\n');
        text.Append("| method | concepts | mapped to a label | evaluated |\n| --- | ---: | ---: | ---: |\n");
        foreach (var row in Rows)
        {
            text.Append($"| {row.Result.MethodName} | {row.Result.ConceptCount} | {row.Result.MappedConceptCount} | {row.Result.EvaluatedConceptCount} |\n");
        }

        text.Append('\n').Append(MethodComparison.Explanation(ClipScore)).Append('\n');
        if (Diagnostics is not null)
        {
            text.Append("\n## Why concepts fail: diagnostics\n\n").Append(Diagnostics.ToTable(markdown: true)).Append('\n');
            text.Append("Figures are average precision on the evaluation clips, means over folds. ").Append(ConceptDiagnostics.Explanation).Append('\n');
        }

        if (Stability is not null)
        {
            text.Append('\n').Append(Stability.Summary).Append(".\n");
        }

        return text.ToString();
    }

    /// <summary>JSON: the protocol, per method the pooled figures and per fold every concept's label, detection score, monosemanticity and average precision.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            format = "ardml.eval",
            version = 2,
            labels = LabelsPath,
            labelledClips = LabelledClipCount,
            groupPattern = GroupPattern,
            mergeByName = MergeByName,
            clipScore = ClipScore.ToString(),
            meanMode = MeanMode.ToString(),
            meanModeChosenPerFold = MeanModeChosenPerFold,
            protocol = Protocol,
            methods = Rows.Select(r => new
            {
                method = r.Method.ToString(),
                name = r.Result.MethodName,
                monosemanticity = r.Result.MeanMonosemanticity,
                macro = new { precision = r.Result.Macro.Precision, recall = r.Result.Macro.Recall, f1 = r.Result.Macro.F1 },
                micro = new { precision = r.Result.Micro.Precision, recall = r.Result.Micro.Recall, f1 = r.Result.Micro.F1 },
                meanAveragePrecision = r.Result.MeanAveragePrecision,
                shareOfProbe = Table.ShareOfProbe(r.Result),
                concepts = r.Result.ConceptCount,
                mapped = r.Result.MappedConceptCount,
                evaluated = r.Result.EvaluatedConceptCount,
                folds = r.Folds.Select(f => new
                {
                    fold = f.Fold,
                    meanMode = f.MeanMode.ToString(),
                    meanModeChoice = f.MeanModeChoice is { } choice ? new { allFrames = choice.AllFrames, activeFrames = choice.ActiveFrames } : null,
                    meanAveragePrecision = f.Result.MeanAveragePrecision,
                    macroF1 = f.Result.Macro.F1,
                    calibrationClips = f.Result.HeldOutClipCount,
                    evaluationClips = f.Result.EvaluationClipCount,
                    perConcept = f.Result.Concepts.Select((c, i) => new
                    {
                        name = c.Match.ConceptName,
                        unit = f.Dictionary?.Concepts[i].Latent,
                        units = f.Dictionary is { } d && d.Concepts[i].Members.Count > 1 ? d.Concepts[i].Latents.ToArray() : null,
                        label = c.Match.Label,
                        detectionScore = f.Dictionary?.Concepts[i].DetectionScore,
                        monosemanticity = c.Monosemanticity,
                        f1 = c.Scores.F1,
                        averagePrecision = c.AveragePrecision,
                    }),
                }),
            }),
            diagnostics = Diagnostics is null ? null : new
            {
                latents = Diagnostics.LatentCount,
                sparseProbeSizes = Diagnostics.SparseProbeSizes,
                fullLayerMeanAveragePrecision = Diagnostics.FullLayerMeanAveragePrecision,
                fullCodeMeanAveragePrecision = Diagnostics.FullCodeMeanAveragePrecision,
                sparseMeanAveragePrecision = Diagnostics.SparseProbeSizes.Select(k => new { k, meanAveragePrecision = Diagnostics.SparseMeanAveragePrecision(k) }),
                meanChance = Diagnostics.MeanChance,
                meanErasureShare = Diagnostics.MeanErasureShare,
                meanConcentration = Diagnostics.MeanConcentration,
                meanExpectedConcentration = Diagnostics.MeanExpectedConcentration,
                labels = Diagnostics.Labels,
                perFold = Diagnostics.PerFold,
            },
            stability = Stability,
        },
        Json);
}
