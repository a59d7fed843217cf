namespace ArdMl.Evaluation;

/// <summary>
/// AR&amp;D's interpretability benchmark. Each concept's name is mapped to the label vocabulary
/// (<see cref="ConceptLabelMapper"/>). The labelled clips are split by id hash (<see cref="HeldOutClipSplit"/>); on
/// the held-out part a threshold on r is chosen per concept to maximise its F1
/// (<see cref="RankingMetrics.ChooseThreshold"/>); on the remaining evaluation part the concept predicts its label
/// where r ≥ threshold, and precision, recall, F1 and the average precision of the ranking by r
/// (<see cref="RankingMetrics.AveragePrecision"/>) are computed, then averaged (see
/// <see cref="InterpretabilityBenchmarkResult"/>).
/// </summary>
public sealed class InterpretabilityBenchmark
{
    private readonly InterpretabilityBenchmarkOptions _options;

    /// <summary>Creates the benchmark with <paramref name="options"/> (defaults when null).</summary>
    public InterpretabilityBenchmark(InterpretabilityBenchmarkOptions? options = null)
    {
        _options = options ?? new InterpretabilityBenchmarkOptions();
        if (!(_options.HeldOutFraction > 0 && _options.HeldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), _options.HeldOutFraction, "HeldOutFraction must lie in (0, 1).");
        }
    }

    /// <summary>Scores <paramref name="concepts"/> of one method against <paramref name="labels"/>.</summary>
    /// <param name="methodName">The method's display name.</param>
    /// <param name="concepts">The method's concepts.</param>
    /// <param name="labels">The labelled clips.</param>
    /// <param name="progress">Receives the number of concepts scored so far.</param>
    /// <exception cref="ArgumentException">A concept lacks r for a labelled clip, has a non-finite r, or the split
    /// leaves one side empty.</exception>
    public InterpretabilityBenchmarkResult Evaluate(
        string methodName, IReadOnlyList<BenchmarkConcept> concepts, ClipLabelSet labels, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(methodName);
        ArgumentNullException.ThrowIfNull(concepts);
        ArgumentNullException.ThrowIfNull(labels);
        var heldOut = new List<string>();
        var evaluation = new List<string>();
        foreach (var clip in labels.ClipIds)
        {
            (HeldOutClipSplit.IsHeldOut(clip, _options.HeldOutFraction, _options.SplitSalt) ? heldOut : evaluation).Add(clip);
        }

        if (heldOut.Count == 0 || evaluation.Count == 0)
        {
            throw new ArgumentException(
                $"The split of {labels.ClipIds.Count} clips (held-out fraction {_options.HeldOutFraction}) left the "
                + $"{(heldOut.Count == 0 ? "held-out" : "evaluation")} part empty; use more clips or another SplitSalt.",
                nameof(labels));
        }

        return Evaluate(methodName, concepts, labels, heldOut, evaluation, progress);
    }

    /// <summary>
    /// Scores <paramref name="concepts"/> with thresholds chosen on <paramref name="calibrationClips"/> and figures
    /// computed on <paramref name="evaluationClips"/> (both labelled clips of <paramref name="labels"/>), for a split the
    /// caller made (for example group-disjoint, see <see cref="ClipRoleSplit"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A side is empty, or a concept lacks r for a clip of either side.</exception>
    public InterpretabilityBenchmarkResult Evaluate(
        string methodName,
        IReadOnlyList<BenchmarkConcept> concepts,
        ClipLabelSet labels,
        IReadOnlyList<string> calibrationClips,
        IReadOnlyList<string> evaluationClips,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(methodName);
        ArgumentNullException.ThrowIfNull(concepts);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(calibrationClips);
        ArgumentNullException.ThrowIfNull(evaluationClips);
        if (calibrationClips.Count == 0 || evaluationClips.Count == 0)
        {
            throw new ArgumentException($"The {(calibrationClips.Count == 0 ? "calibration" : "evaluation")} clips are empty; both sides need labelled clips.");
        }

        var heldOut = calibrationClips.ToList();
        var evaluation = evaluationClips.ToList();
        var mapper = new ConceptLabelMapper(labels.Vocabulary, _options.TextEmbedder, _options.EmbeddingThreshold);
        var matches = mapper.Map([.. concepts.Select((c, i) => c?.Name ?? throw new ArgumentException($"Concept {i} is null.", nameof(concepts)))]);
        var results = new ConceptBenchmarkResult[concepts.Count];
        for (int i = 0; i < concepts.Count; i++)
        {
            var concept = concepts[i];
            var match = matches[i];
            if (match.Label is not { } label)
            {
                results[i] = new ConceptBenchmarkResult(
                    match, concept.Monosemanticity, double.NaN, double.NaN, 0, 0, 0, 0, new DetectionScores(0, 0, 0), double.NaN);
                progress?.Report(i + 1);
                continue;
            }

            var (heldScores, heldRelevant) = Column(concept, heldOut, labels, label);
            var (evalScores, evalRelevant) = Column(concept, evaluation, labels, label);
            var choice = RankingMetrics.ChooseThreshold(heldScores, heldRelevant);
            int tp = 0, fp = 0, fn = 0;
            for (int c = 0; c < evalScores.Length; c++)
            {
                bool predicted = evalScores[c] >= choice.Threshold;
                if (predicted && evalRelevant[c])
                {
                    tp++;
                }
                else if (predicted)
                {
                    fp++;
                }
                else if (evalRelevant[c])
                {
                    fn++;
                }
            }

            results[i] = new ConceptBenchmarkResult(
                match,
                concept.Monosemanticity,
                choice.Threshold,
                choice.HeldOutF1,
                tp + fn,
                tp,
                fp,
                fn,
                DetectionScores.FromCounts(tp, fp, fn),
                RankingMetrics.AveragePrecision(evalScores, evalRelevant));
            progress?.Report(i + 1);
        }

        return new InterpretabilityBenchmarkResult(methodName, results, heldOut.Count, evaluation.Count);
    }

    private static (double[] Scores, bool[] Relevant) Column(
        BenchmarkConcept concept, List<string> clips, ClipLabelSet labels, string label)
    {
        var scores = new double[clips.Count];
        var relevant = new bool[clips.Count];
        for (int c = 0; c < clips.Count; c++)
        {
            if (concept.Representativeness is null || !concept.Representativeness.TryGetValue(clips[c], out var r))
            {
                throw new ArgumentException(
                    $"Concept '{concept.Name}' has no representativeness for labelled clip '{clips[c]}'; every labelled clip needs one.");
            }

            if (!double.IsFinite(r))
            {
                throw new ArgumentException($"Concept '{concept.Name}' has representativeness {r} for clip '{clips[c]}'; it must be finite.");
            }

            scores[c] = r;
            relevant[c] = labels.HasLabel(clips[c], label);
        }

        return (scores, relevant);
    }
}
