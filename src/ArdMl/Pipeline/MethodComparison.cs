using System.Text.Json;
using System.Text.Json.Serialization;
using ArdMl.Concepts;
using ArdMl.Evaluation;
using Microsoft.ML;

namespace ArdMl.Pipeline;

/// <summary>One row of the comparison: a method, the dictionary it produced and its benchmark result.</summary>
/// <param name="Method">The method.</param>
/// <param name="Dictionary">Concepts that method selected and named.</param>
/// <param name="Result">Its benchmark scores.</param>
public sealed record MethodComparisonRow(BenchmarkMethod Method, ConceptDictionary Dictionary, InterpretabilityBenchmarkResult Result);

/// <summary>The five methods of the paper's Table 1, measured on one run's SAE and clips.</summary>
public sealed class MethodComparisonResult
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal MethodComparisonResult(IReadOnlyList<MethodComparisonRow> rows, int labelledClips, string labelsPath)
    {
        Rows = rows;
        LabelledClipCount = labelledClips;
        LabelsPath = labelsPath;
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

    /// <summary>A Markdown document: the table plus per-method concept counts and how each method scores clips.</summary>
    public string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        text.Append("# Interpretability benchmark\n\n");
        text.Append($"Labels: `{LabelsPath}` ({LabelledClipCount} labelled clips of the run; held-out split for thresholds).\n\n");
        text.Append(Table.ToMarkdown()).Append('\n');
        text.Append("| method | concepts | mapped to a label | evaluated |\n| --- | ---: | ---: | ---: |\n");
        foreach (var row in Rows)
        {
            text.Append($"| {row.Result.MethodName} | {row.Result.ConceptCount} | {row.Result.MappedConceptCount} | {row.Result.EvaluatedConceptCount} |\n");
        }

        text.Append('\n').Append(MethodComparison.Explanation).Append('\n');
        return text.ToString();
    }

    /// <summary>JSON: per method the table figures and every concept's label, monosemanticity and average precision.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            format = "ardml.eval",
            version = 1,
            labels = LabelsPath,
            labelledClips = LabelledClipCount,
            methods = Rows.Select(r => new
            {
                method = r.Method.ToString(),
                name = r.Result.MethodName,
                monosemanticity = r.Result.MeanMonosemanticity,
                macro = new { precision = r.Result.Macro.Precision, recall = r.Result.Macro.Recall, f1 = r.Result.Macro.F1 },
                micro = new { precision = r.Result.Micro.Precision, recall = r.Result.Micro.Recall, f1 = r.Result.Micro.F1 },
                meanAveragePrecision = r.Result.MeanAveragePrecision,
                concepts = r.Result.ConceptCount,
                mapped = r.Result.MappedConceptCount,
                evaluated = r.Result.EvaluatedConceptCount,
                heldOutClips = r.Result.HeldOutClipCount,
                evaluationClips = r.Result.EvaluationClipCount,
                perConcept = r.Result.Concepts.Select((c, i) => new
                {
                    name = c.Match.ConceptName,
                    unit = r.Dictionary.Concepts[i].Latent,
                    label = c.Match.Label,
                    monosemanticity = c.Monosemanticity,
                    f1 = c.Scores.F1,
                    averagePrecision = c.AveragePrecision,
                }),
            }),
        },
        Json);
}

/// <summary>
/// The interpretability benchmark of a discovery run (the paper's Table 1): five methods on the same SAE and clips,
/// each ranking clips with its own criterion (the ranker's baselines), scoring monosemanticity on the same clip
/// embeddings, naming from the run's captions or labels, and detecting labels on held-out clips.
/// </summary>
public static class MethodComparison
{
    /// <summary>How each method scores a clip for a concept (printed with the table).</summary>
    public const string Explanation =
        "Methods: raw neurons = tap units as latents (μ, c from the activations, no SAE), r = μ·c; " +
        "random clips = SAE latents with seeded random representative clips (naming and monosemanticity), detection by r = μ·c; " +
        "mean activation only = rank and detect by μ; coverage only = rank and detect by c; AR&D = rank and detect by μ·c. " +
        "MS = mean monosemanticity of the concepts; P/R/F1 macro over concepts mapped to a label with positives; mAP = mean average precision.";

    /// <summary>Runs the five methods on a run folder written by <see cref="DiscoveryPipeline.Discover"/>.</summary>
    /// <param name="runDirectory">The run folder.</param>
    /// <param name="labelsPath">Labels CSV (clip,text; several labels per clip separated by ';' or on several rows).</param>
    /// <param name="progress">Receives the method being evaluated.</param>
    public static MethodComparisonResult Run(string runDirectory, string labelsPath, IProgress<BenchmarkMethod>? progress = null)
    {
        var manifest = DiscoveryManifest.Load(runDirectory);
        var ml = new MLContext(seed: 0);
        var store = ClipStatisticsStore.Load(ml, Path.Combine(runDirectory, manifest.StatisticsFile));
        var allLabels = ClipLabelSet.ReadCsv(labelsPath);
        var labels = new ClipLabelSet(store.ClipIds.Where(allLabels.Contains)
            .Select(c => new KeyValuePair<string, IEnumerable<string>>(c, allLabels.LabelsOf(c))));
        if (labels.ClipIds.Count == 0)
        {
            throw new InvalidDataException($"None of the {store.ClipIds.Count} clips of run '{runDirectory}' has a label in '{labelsPath}' (clip ids are paths relative to the audio folder).");
        }

        CaptionCorpus? corpus = null;
        var namingFile = manifest.NamingSource switch
        {
            "labels" => manifest.LabelsPath,
            "captions" => manifest.CaptionsPath,
            _ => null,
        };
        if (namingFile is not null)
        {
            corpus = CaptionCorpus.Create(CaptionTable.ReadCsv(namingFile, store.ClipIds),
                manifest.NamingSource == "labels" ? CaptionKind.Labels : CaptionKind.Captions);
        }

        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < store.ClipIds.Count; i++)
        {
            rowOf[store.ClipIds[i]] = i;
        }

        var index = ClipScoreColumn.IndexOf(labels.ClipIds);
        var labelledRows = labels.ClipIds.Select(c => rowOf[c]).ToArray();
        var rows = new List<MethodComparisonRow>();
        foreach (var method in Enum.GetValues<BenchmarkMethod>())
        {
            progress?.Report(method);
            bool raw = method == BenchmarkMethod.RawNeurons;
            var means = raw ? store.RawMeanActivation : store.MeanActivation;
            var coverages = raw ? store.RawCoverage : store.Coverage;
            var criterion = method switch
            {
                BenchmarkMethod.RandomRepresentatives => RankingCriterion.Random,
                BenchmarkMethod.MeanActivationOnly => RankingCriterion.MeanActivation,
                BenchmarkMethod.CoverageOnly => RankingCriterion.Coverage,
                _ => RankingCriterion.MeanTimesCoverage,
            };
            var ranker = new ConceptRanker(raw ? store.Width : store.LatentCount, new ConceptRankerOptions
            {
                Criterion = criterion,
                ClipsPerSet = manifest.ClipsPerSet,
                RandomSeed = manifest.Seed,
            });
            for (int i = 0; i < store.ClipIds.Count; i++)
            {
                ranker.AddClip(store.ClipIds[i], means[i], coverages[i]);
            }

            var ranking = ranker.Complete();
            var embeddings = new ClipEmbeddingCollector(ranking);
            for (int i = 0; i < store.ClipIds.Count && !embeddings.IsComplete; i++)
            {
                if (embeddings.IsRequired(store.ClipIds[i]))
                {
                    embeddings.Offer(store.ClipIds[i], store.Embedding[i]);
                }
            }

            var scores = MonosemanticityScorer.Score(ranking, embeddings);
            var dictionary = ConceptDictionaryBuilder.BuildAsync(
                    ranking,
                    scores,
                    new ConceptSelectionOptions { MinimumMonosemanticity = manifest.MinimumMonosemanticity, ConceptCount = manifest.ConceptCount },
                    corpus)
                .GetAwaiter().GetResult();
            var concepts = dictionary.Concepts.Select(concept =>
            {
                var column = new float[labelledRows.Length];
                for (int j = 0; j < labelledRows.Length; j++)
                {
                    float mu = means[labelledRows[j]][concept.Latent], c = coverages[labelledRows[j]][concept.Latent];
                    column[j] = method switch
                    {
                        BenchmarkMethod.MeanActivationOnly => mu,
                        BenchmarkMethod.CoverageOnly => c,
                        _ => mu * c,
                    };
                }

                return new BenchmarkConcept(concept.Name, new ClipScoreColumn(index, column), concept.Monosemanticity);
            }).ToList();
            var result = new InterpretabilityBenchmark().Evaluate(DisplayName(method), concepts, labels);
            rows.Add(new MethodComparisonRow(method, dictionary, result));
        }

        return new MethodComparisonResult(rows, labels.ClipIds.Count, Path.GetFullPath(labelsPath));
    }

    /// <summary>The row name of a method in the table.</summary>
    /// <param name="method">The method.</param>
    public static string DisplayName(BenchmarkMethod method) => method switch
    {
        BenchmarkMethod.RawNeurons => "raw neurons",
        BenchmarkMethod.RandomRepresentatives => "random clips",
        BenchmarkMethod.MeanActivationOnly => "mean activation only",
        BenchmarkMethod.CoverageOnly => "coverage only",
        BenchmarkMethod.Ard => "AR&D (mean x coverage)",
        _ => method.ToString(),
    };
}
