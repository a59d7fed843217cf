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
        _dictionary.Score(_criterion, meanActivation, coverage, scores);

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
    public IReadOnlyList<ConceptDetection> Complete() => CompleteOutside(alsoExcluded: null);

    /// <summary>The concepts scored.</summary>
    internal ConceptDictionary Dictionary => _dictionary;

    /// <summary>
    /// How well the concept names of several dictionaries hold, all measured on the same clips: for every name that any
    /// of them found, each dictionary's concepts of that name are scored as <see cref="Complete"/> scores them (the
    /// name's average precision, averaged over groups), but on the clips outside the top clips of <em>every</em>
    /// dictionary's concepts of that name. A dictionary's figure is the mean over those names of its best concept's
    /// score (0 where it has none). Scoring each dictionary outside only its own top clips would favour one whose top
    /// clips hold fewer of the name's clips, since average precision rises with the share of positives it ranks.
    /// The scorers must have been given the same clips, each with its own dictionary's statistics, and made with the
    /// same corpus and options. Meant for a few dictionaries: the shared clips shrink with every dictionary added, the
    /// more so where merged concepts' top clips cover most of a name's clips.
    /// </summary>
    /// <param name="scorers">One scorer per dictionary to compare (at least one).</param>
    /// <returns>One figure per scorer, in order, each in [0, 1].</returns>
    public static IReadOnlyList<double> SharedClipCriteria(IReadOnlyList<ConceptDetectionScorer> scorers)
    {
        ArgumentNullException.ThrowIfNull(scorers);
        if (scorers.Count == 0)
        {
            throw new ArgumentException("Give at least one scorer.", nameof(scorers));
        }

        var top = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var scorer in scorers)
        {
            foreach (var concept in scorer._dictionary.Concepts)
            {
                if (scorer.NameKey(concept.Name) is { } key)
                {
                    if (!top.TryGetValue(key, out var clips))
                    {
                        top[key] = clips = new HashSet<string>(StringComparer.Ordinal);
                    }

                    clips.UnionWith(concept.Top.Select(c => c.ClipId));
                }
            }
        }

        var criteria = new double[scorers.Count];
        for (var s = 0; s < scorers.Count && top.Count > 0; s++)
        {
            var scorer = scorers[s];
            var best = new Dictionary<string, double>(StringComparer.Ordinal);
            var detections = scorer.CompleteOutside(key => top[key]);
            for (var i = 0; i < detections.Count; i++)
            {
                if (scorer.NameKey(scorer._dictionary.Concepts[i].Name) is { } key)
                {
                    best[key] = Math.Max(best.GetValueOrDefault(key), ScoreOrZero(detections[i]));
                }
            }

            criteria[s] = top.Keys.Sum(k => best.GetValueOrDefault(k)) / top.Count;
        }

        return criteria;
    }

    /// <summary>
    /// <see cref="Complete()"/> with each concept's clips also leaving out <paramref name="alsoExcluded"/> of its name
    /// key, so that concepts of one name from several dictionaries are scored on the same clips.
    /// </summary>
    private IReadOnlyList<ConceptDetection> CompleteOutside(Func<string, IReadOnlySet<string>>? alsoExcluded)
    {
        var byGroup = KeptByGroup();
        var results = new ConceptDetection[_dictionary.Concepts.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var concept = i;
            var top = alsoExcluded is not null && NameKey(_dictionary.Concepts[i].Name) is { } key
                ? new HashSet<string>(_topClips[i].Concat(alsoExcluded(key)), StringComparer.Ordinal)
                : _topClips[i];
            var (score, positives, perGroup) = Detect(byGroup, top, c => c.Scores[concept], c => c.Positives.Contains(concept));
            results[i] = new ConceptDetection(_dictionary.Concepts[i].Latent, _dictionary.Concepts[i].Name, score, positives, perGroup);
        }

        return results;
    }

    /// <summary>
    /// The detection scores (<see cref="Complete"/>), the concepts of each name merged where
    /// <see cref="ConceptDetectionOptions.MergeByName"/> says so (<see cref="MergeByName"/>), and the selection by
    /// <see cref="Select"/>: the outcome of this step of discovery.
    /// </summary>
    public ConceptDictionary SelectConcepts()
    {
        var detections = Complete();
        var dictionary = _dictionary;
        if (_options.MergeByName)
        {
            (dictionary, detections) = MergeByName(detections);
        }

        return Select(dictionary, detections, _options);
    }

    /// <summary>
    /// Leaves one concept per name (labels: the same label key; captions: the same longest phrase): the name's concepts
    /// merged into one concept of several latents where that detects the name better on these clips, else the name's
    /// concept of best detection score alone. The members are the name's concepts with a positive detection score;
    /// member i weighs w_i = its detection score over the members' sum and counts in units of s_i, the mean score of its
    /// own H clips, so the merged score of a clip is Σ w_i · x_i / s_i (x_i the latent's score under the scorer's
    /// criterion). The merged concept's detection score is computed like a single latent's, outside the H clips of all
    /// members; the merge is kept when it is above the best member's score. A merged concept takes the dictionary
    /// position and the statistics of its member of largest weight; a concept left alone becomes a concept of one member
    /// (weight 1, scale s), so every name's score counts in units of its H clips and TopConcepts compares like with
    /// like. Concepts whose name has no phrase stay as they are.
    /// </summary>
    /// <param name="detections">The detection scores of <see cref="Complete"/>.</param>
    /// <returns>The merged dictionary and one detection score per concept of it.</returns>
    public (ConceptDictionary Dictionary, IReadOnlyList<ConceptDetection> Detections) MergeByName(IReadOnlyList<ConceptDetection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (detections.Count != _dictionary.Concepts.Count)
        {
            throw new ArgumentException($"Expected one detection score per concept ({_dictionary.Concepts.Count}); got {detections.Count}.", nameof(detections));
        }

        var byGroup = KeptByGroup();
        var scales = _dictionary.Concepts.Select(HScale).ToArray();
        var replaced = new Dictionary<int, (Concept Concept, ConceptDetection Detection)>();
        var dropped = new HashSet<int>();

        // A name's best concept alone, in the same units as a merged one (its H clips' mean scores 1).
        void Alone(int index)
        {
            var concept = _dictionary.Concepts[index];
            if (concept.Members.Count == 0 && scales[index] > 0 && double.IsFinite(scales[index]))
            {
                replaced[index] = (concept with { Members = [new ConceptMember(concept.Latent, 1, scales[index])] }, detections[index]);
            }
        }

        foreach (var (key, indices) in _conceptsByKey.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var best = indices.OrderByDescending(i => ScoreOrZero(detections[i])).ThenBy(i => i).First();
            dropped.UnionWith(indices.Where(i => i != best));
            var members = indices
                .Where(i => _dictionary.Concepts[i].Members.Count == 0 && detections[i].Score > 0 && double.IsFinite(detections[i].Score) && scales[i] > 0)
                .OrderByDescending(i => detections[i].Score).ThenBy(i => i).ToList();
            if (members.Count < 2 || members[0] != best)
            {
                Alone(best);
                continue;
            }

            var total = members.Sum(i => detections[i].Score);
            var factors = members.Select(i => detections[i].Score / total / scales[i]).ToArray();
            var top = new HashSet<string>(members.SelectMany(i => _topClips[i]), StringComparer.Ordinal);
            var (score, positives, perGroup) = Detect(
                byGroup,
                top,
                c => (float)members.Select((m, j) => factors[j] * c.Scores[m]).Sum(),
                c => c.Positives.Contains(members[0]));
            if (!(score > detections[members[0]].Score))
            {
                Alone(best);
                continue;
            }

            var merged = Merged([.. members.Select(i => (_dictionary.Concepts[i], detections[i].Score / total, scales[i]))]);
            replaced[members[0]] = (merged, new ConceptDetection(merged.Latent, merged.Name, score, positives, perGroup));
        }

        var concepts = new List<Concept>();
        var results = new List<ConceptDetection>();
        for (var i = 0; i < _dictionary.Concepts.Count; i++)
        {
            if (replaced.TryGetValue(i, out var merged))
            {
                concepts.Add(merged.Concept);
                results.Add(merged.Detection);
            }
            else if (!dropped.Contains(i))
            {
                concepts.Add(_dictionary.Concepts[i]);
                results.Add(detections[i]);
            }
        }

        return (new ConceptDictionary(_dictionary.LatentCount, _dictionary.ClipCount, _dictionary.Ranking, concepts, _dictionary.DeadLatents), results);
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

        var order = Enumerable.Range(0, detections.Count).OrderByDescending(i => ScoreOrZero(detections[i])).ThenBy(i => i).ToList();
        var namesSeen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<Concept>();
        foreach (var i in order)
        {
            var concept = dictionary.Concepts[i];
            var firstOfName = namesSeen.Add(CaptionPhrases.LabelKey(concept.Name));
            var passes = options.MinimumDetectionScore is not { } minimum || ScoreOrZero(detections[i]) >= minimum;
            if (passes || (firstOfName && options.KeepBestOfEachName))
            {
                kept.Add(concept with { DetectionScore = double.IsFinite(detections[i].Score) ? detections[i].Score : null });
            }
        }

        return new ConceptDictionary(dictionary.LatentCount, dictionary.ClipCount, dictionary.Ranking, kept, dictionary.DeadLatents);
    }

    /// <summary>A detection score for ordering and thresholds: a concept without one counts as 0.</summary>
    private static double ScoreOrZero(ConceptDetection detection) => double.IsFinite(detection.Score) ? detection.Score : 0;

    private List<IGrouping<string, ScoredClip>> KeptByGroup()
    {
        var clips = _kept.UnorderedItems.Select(e => e.Element).OrderBy(c => c.ClipId, StringComparer.Ordinal).ToList();
        return [.. clips.GroupBy(c => c.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)];
    }

    /// <summary>Mean over groups of the average precision of <paramref name="score"/> outside <paramref name="top"/>.</summary>
    private static (double Score, int Positives, Dictionary<string, double> PerGroup) Detect(
        List<IGrouping<string, ScoredClip>> byGroup, HashSet<string> top, Func<ScoredClip, float> score, Func<ScoredClip, bool> positive)
    {
        var perGroup = new Dictionary<string, double>(StringComparer.Ordinal);
        var positives = 0;
        foreach (var group in byGroup)
        {
            var scores = new List<double>();
            var relevant = new List<bool>();
            foreach (var clip in group)
            {
                if (!top.Contains(clip.ClipId))
                {
                    scores.Add(score(clip));
                    relevant.Add(positive(clip));
                }
            }

            var groupPositives = relevant.Count(r => r);
            positives += groupPositives;
            if (groupPositives > 0 && groupPositives < relevant.Count)
            {
                perGroup[group.Key] = RankingMetrics.AveragePrecision(scores, relevant);
            }
        }

        return (perGroup.Count > 0 ? perGroup.Values.Average() : double.NaN, positives, perGroup);
    }

    /// <summary>s: the mean score of the concept's H clips under the scorer's criterion (μ·c where H was drawn at random).</summary>
    private double HScale(Concept concept) =>
        concept.Top.Count == 0 ? 0
        : _dictionary.Ranking.Criterion == _criterion ? concept.Top.Average(c => (double)c.Score)
        : concept.Top.Average(c => (double)c.Representativeness);

    /// <summary>One concept of the members (largest weight first) with their weights and H scales.</summary>
    private static Concept Merged(IReadOnlyList<(Concept Concept, double Weight, double Scale)> members)
    {
        double Key(RankedClip clip, (Concept Concept, double Weight, double Scale) member) => member.Weight * clip.Score / member.Scale;
        IReadOnlyList<RankedClip> Union(Func<Concept, IReadOnlyList<RankedClip>> set, bool descending)
        {
            var all = members.SelectMany(m => set(m.Concept).Select(c => (Clip: c, Key: Key(c, m))));
            var ordered = descending ? all.OrderByDescending(c => c.Key) : all.OrderBy(c => c.Key);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return [.. ordered.ThenBy(c => c.Clip.ClipId, StringComparer.Ordinal).Where(c => seen.Add(c.Clip.ClipId)).Select(c => c.Clip)];
        }

        return members[0].Concept with
        {
            Members = [.. members.Select(m => new ConceptMember(m.Concept.Latent, m.Weight, m.Scale))],
            Monosemanticity = members.Sum(m => m.Weight * m.Concept.Monosemanticity),
            CaptionsUsed = [.. members.SelectMany(m => m.Concept.CaptionsUsed).Distinct(StringComparer.Ordinal)],
            Top = Union(c => c.Top, descending: true),
            Bottom = Union(c => c.Bottom, descending: false),
            DetectionScore = null,
        };
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
