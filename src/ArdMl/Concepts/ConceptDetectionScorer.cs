using ArdMl.Evaluation;

namespace ArdMl.Concepts;

/// <summary>
/// Scores how well each named concept detects its own name on clips it was not named from, and selects concepts by
/// it. A clip is a positive for a concept when one of its texts carries the concept's name (labels: the same label
/// key; captions: the name's phrase among the caption's phrases, see the offline namer's phrase rules). The concept's
/// clips are ranked by its score (μ·c, or the ranking criterion's own score) and, leaving out its H clips (the ones the
/// name was made from), the average precision is computed inside each group of <see cref="ConceptDetectionOptions.GroupPattern"/>
/// that holds positives; the detection score is the mean over those groups. A latent that carries "digit 3" for one
/// speaker only thus scores far below one that carries it for every speaker. Clips without texts are not scored.
/// Feed every clip once (<see cref="Add"/>), in any order, then call <see cref="Complete"/>; at most
/// <see cref="ConceptDetectionOptions.MaximumClips"/> clips are kept (those with the smallest id hash), so the result
/// does not depend on the order of the clips.
/// </summary>
public sealed class ConceptDetectionScorer
{
    private readonly ConceptDictionary _dictionary;
    private readonly CaptionCorpus _corpus;
    private readonly ConceptDetectionOptions _options;
    private readonly RankingCriterion _criterion;
    private readonly ClipGroupPattern? _groups;
    private readonly Dictionary<string, List<int>> _conceptsByKey = new(StringComparer.Ordinal);
    private readonly HashSet<string>[] _topClips;
    private readonly PriorityQueue<ScoredClip, ulong> _kept;

    /// <summary>Creates a scorer for the concepts of <paramref name="dictionary"/> named from <paramref name="corpus"/>.</summary>
    /// <param name="dictionary">The named concepts.</param>
    /// <param name="corpus">The captions or labels the names were made from.</param>
    /// <param name="options">Group pattern, selection and sample size (defaults when null).</param>
    /// <param name="criterion">The clip score a concept is ranked by: μ·c (default, AR&amp;D), μ or c.</param>
    public ConceptDetectionScorer(
        ConceptDictionary dictionary,
        CaptionCorpus corpus,
        ConceptDetectionOptions? options = null,
        RankingCriterion criterion = RankingCriterion.MeanTimesCoverage)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(corpus);
        _options = options ?? new ConceptDetectionOptions();
        _options.Validate();
        _dictionary = dictionary;
        _corpus = corpus;
        _criterion = criterion;
        _groups = _options.GroupRegex();
        _topClips = new HashSet<string>[dictionary.Concepts.Count];
        for (var i = 0; i < dictionary.Concepts.Count; i++)
        {
            var concept = dictionary.Concepts[i];
            _topClips[i] = new HashSet<string>(concept.Top.Select(c => c.ClipId), StringComparer.Ordinal);
            if (NameKey(concept.Name) is { } key)
            {
                if (!_conceptsByKey.TryGetValue(key, out var list))
                {
                    _conceptsByKey[key] = list = [];
                }

                list.Add(i);
            }
        }

        _kept = new PriorityQueue<ScoredClip, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
    }

    /// <summary>Adds one clip's per-latent statistics (dense, one value per latent of the dictionary).</summary>
    /// <exception cref="ArgumentException">The vectors do not have one value per latent, or the group pattern does not match the clip id.</exception>
    public void Add(string clipId, ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        if (meanActivation.Length != _dictionary.LatentCount || coverage.Length != _dictionary.LatentCount)
        {
            throw new ArgumentException(
                $"Clip '{clipId}': expected {_dictionary.LatentCount} mean activations and coverages (one per latent); got {meanActivation.Length} and {coverage.Length}.");
        }

        var group = _groups?.GroupOf(clipId) ?? string.Empty;
        var texts = _corpus.Table.TextsOf(clipId);
        if (texts.Count == 0)
        {
            return;
        }

        var hash = HeldOutClipSplit.Hash(clipId, salt: 0x64657465637431UL);
        if (_kept.Count >= _options.MaximumClips && _kept.TryPeek(out _, out var largest) && hash >= largest)
        {
            return;
        }

        var scores = new float[_dictionary.Concepts.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var latent = _dictionary.Concepts[i].Latent;
            scores[i] = _criterion switch
            {
                RankingCriterion.MeanActivation => meanActivation[latent],
                RankingCriterion.Coverage => coverage[latent],
                _ => meanActivation[latent] * coverage[latent],
            };
        }

        var positives = new HashSet<int>();
        foreach (var key in ClipKeys(texts))
        {
            if (_conceptsByKey.TryGetValue(key, out var concepts))
            {
                positives.UnionWith(concepts);
            }
        }

        _kept.Enqueue(new ScoredClip(clipId, group, scores, positives), hash);
        if (_kept.Count > _options.MaximumClips)
        {
            _kept.Dequeue();
        }
    }

    /// <summary>The detection score of every concept, in dictionary order.</summary>
    public IReadOnlyList<ConceptDetection> Complete()
    {
        var clips = _kept.UnorderedItems.Select(e => e.Element).OrderBy(c => c.ClipId, StringComparer.Ordinal).ToList();
        var byGroup = clips.GroupBy(c => c.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var results = new ConceptDetection[_dictionary.Concepts.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var perGroup = new Dictionary<string, double>(StringComparer.Ordinal);
            var positives = 0;
            foreach (var group in byGroup)
            {
                var scores = new List<double>();
                var relevant = new List<bool>();
                foreach (var clip in group)
                {
                    if (!_topClips[i].Contains(clip.ClipId))
                    {
                        scores.Add(clip.Scores[i]);
                        relevant.Add(clip.Positives.Contains(i));
                    }
                }

                var groupPositives = relevant.Count(r => r);
                positives += groupPositives;
                if (groupPositives > 0 && groupPositives < relevant.Count)
                {
                    perGroup[group.Key] = RankingMetrics.AveragePrecision(scores, relevant);
                }
            }

            var score = perGroup.Count > 0 ? perGroup.Values.Average() : double.NaN;
            results[i] = new ConceptDetection(_dictionary.Concepts[i].Latent, _dictionary.Concepts[i].Name, score, positives, perGroup);
        }

        return results;
    }

    /// <summary>
    /// The concepts of <paramref name="dictionary"/> that pass <paramref name="options"/>' selection, each carrying its
    /// detection score, best score first (ties: dictionary order). A concept without a score (no positives outside
    /// its H clips) counts as 0.
    /// </summary>
    public static ConceptDictionary Select(ConceptDictionary dictionary, IReadOnlyList<ConceptDetection> detections, ConceptDetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ArgumentNullException.ThrowIfNull(detections);
        options ??= new ConceptDetectionOptions();
        if (detections.Count != dictionary.Concepts.Count)
        {
            throw new ArgumentException($"Expected one detection score per concept ({dictionary.Concepts.Count}); got {detections.Count}.", nameof(detections));
        }

        static double Value(ConceptDetection d) => double.IsFinite(d.Score) ? d.Score : 0;
        var order = Enumerable.Range(0, detections.Count).OrderByDescending(i => Value(detections[i])).ThenBy(i => i).ToList();
        var namesSeen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<Concept>();
        foreach (var i in order)
        {
            var concept = dictionary.Concepts[i];
            var firstOfName = namesSeen.Add(CaptionPhrases.LabelKey(concept.Name));
            var passes = options.MinimumDetectionScore is not { } minimum || Value(detections[i]) >= minimum;
            if (passes || (firstOfName && options.KeepBestOfEachName))
            {
                kept.Add(concept with { DetectionScore = double.IsFinite(detections[i].Score) ? detections[i].Score : null });
            }
        }

        return new ConceptDictionary(dictionary.LatentCount, dictionary.ClipCount, dictionary.Ranking, kept, dictionary.DeadLatents);
    }

    private string? NameKey(string name)
    {
        if (_corpus.Kind == CaptionKind.Labels)
        {
            return CaptionPhrases.LabelKey(name);
        }

        var longest = CaptionPhrases.Extract(name).OrderByDescending(p => p.Words).FirstOrDefault();
        return longest.Key;
    }

    private IEnumerable<string> ClipKeys(IReadOnlyList<string> texts) => _corpus.Kind == CaptionKind.Labels
        ? texts.Select(CaptionPhrases.LabelKey)
        : texts.SelectMany(t => CaptionPhrases.Extract(t).Select(p => p.Key));

    private sealed record ScoredClip(string ClipId, string Group, float[] Scores, HashSet<int> Positives);
}

/// <summary>The detection score of one concept (see <see cref="ConceptDetectionScorer"/>).</summary>
/// <param name="Latent">The concept's latent.</param>
/// <param name="Name">The concept's name.</param>
/// <param name="Score">Mean over groups of the average precision outside H; NaN when no group has positives and negatives.</param>
/// <param name="Positives">Scored clips (outside H) whose texts carry the name.</param>
/// <param name="GroupScores">Average precision per group (groups with positives and negatives only).</param>
public sealed record ConceptDetection(int Latent, string Name, double Score, int Positives, IReadOnlyDictionary<string, double> GroupScores);
