namespace ArdMl.Concepts;

/// <summary>
/// The outcome of concept discovery and the state applied to new clips: the kept concepts in dictionary order (most
/// monosemantic first), the dead latents, and how the ranking was done. A new clip's statistics (μ, c) map to
/// ConceptScores (r = μ·c of each concept's latent, or Σ w·r/s over the members of a concept of several latents, in
/// dictionary order) and TopConcepts (the names of the best scoring concepts). Saved and loaded as versioned JSON (<see cref="ConceptDictionaryJson"/>).
/// </summary>
public sealed class ConceptDictionary
{
    private readonly int[][] _latents;
    private readonly double[][] _factors;

    /// <summary>Creates a dictionary; concepts keep the given order.</summary>
    /// <exception cref="ArgumentException">A latent is out of range or repeated, or a name is blank.</exception>
    public ConceptDictionary(
        int latentCount,
        long clipCount,
        ConceptRankerOptions ranking,
        IReadOnlyList<Concept> concepts,
        IReadOnlyList<int> deadLatents)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(concepts);
        ArgumentNullException.ThrowIfNull(deadLatents);
        if (latentCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latentCount), latentCount, "The number of latents must be positive.");
        }

        var seen = new HashSet<int>();
        foreach (var concept in concepts)
        {
            foreach (var latent in concept.Latents)
            {
                if ((uint)latent >= (uint)latentCount)
                {
                    throw new ArgumentException($"Concept '{concept.Name}' refers to latent {latent}, outside 0..{latentCount - 1}.", nameof(concepts));
                }

                if (!seen.Add(latent))
                {
                    throw new ArgumentException($"Latent {latent} appears in two concepts.", nameof(concepts));
                }
            }

            if (concept.Members.Count > 0 && !concept.Members.Any(m => m.Latent == concept.Latent))
            {
                throw new ArgumentException($"Concept '{concept.Name}': its latent {concept.Latent} is not among its members.", nameof(concepts));
            }

            foreach (var member in concept.Members)
            {
                if (!(member.Weight > 0 && double.IsFinite(member.Weight)) || !(member.Scale > 0 && double.IsFinite(member.Scale)))
                {
                    throw new ArgumentException(
                        $"Concept '{concept.Name}': member latent {member.Latent} has weight {member.Weight} and scale {member.Scale}; both must be positive and finite.",
                        nameof(concepts));
                }
            }

            if (string.IsNullOrWhiteSpace(concept.Name))
            {
                throw new ArgumentException($"The concept of latent {concept.Latent} has no name.", nameof(concepts));
            }
        }

        foreach (var dead in deadLatents)
        {
            if ((uint)dead >= (uint)latentCount)
            {
                throw new ArgumentException($"Dead latent {dead} is outside 0..{latentCount - 1}.", nameof(deadLatents));
            }
        }

        LatentCount = latentCount;
        ClipCount = clipCount;
        Ranking = ranking;
        Concepts = concepts;
        DeadLatents = deadLatents;
        _latents = [.. concepts.Select(c => c.Latents.ToArray())];
        _factors = [.. concepts.Select(c => c.Members.Count == 0 ? [1.0] : c.Members.Select(m => m.Weight / m.Scale).ToArray())];
    }

    /// <summary>Number of SAE latents (m) the dictionary applies to.</summary>
    public int LatentCount { get; }

    /// <summary>Number of clips discovery ranked.</summary>
    public long ClipCount { get; }

    /// <summary>The ranking options discovery used.</summary>
    public ConceptRankerOptions Ranking { get; }

    /// <summary>The concepts, in dictionary order (the order of ConceptScores).</summary>
    public IReadOnlyList<Concept> Concepts { get; }

    /// <summary>Latents that never fired on any clip: reported, never named.</summary>
    public IReadOnlyList<int> DeadLatents { get; }

    /// <summary>Concept names in dictionary order (the SlotNames of ConceptScores).</summary>
    public IReadOnlyList<string> ConceptNames => [.. Concepts.Select(c => c.Name)];

    /// <summary>Writes r = μ·c of every concept's latent (Σ w·r/s over the members of a concept of several latents) into <paramref name="scores"/> (length = concept count).</summary>
    public void Score(ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage, Span<float> scores) =>
        Score(RankingCriterion.MeanTimesCoverage, meanActivation, coverage, scores);

    /// <summary>
    /// Writes every concept's score under <paramref name="criterion"/> into <paramref name="scores"/>: the latent's μ,
    /// c or μ·c (<see cref="RankingCriterion.Random"/>: μ·c), or the members' Σ w·x/s of it. ConceptScores are the
    /// <see cref="RankingCriterion.MeanTimesCoverage"/> scores; the others serve benchmarks that compare criteria.
    /// </summary>
    public void Score(RankingCriterion criterion, ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage, Span<float> scores)
    {
        if (meanActivation.Length != LatentCount || coverage.Length != LatentCount)
        {
            throw new ArgumentException(
                $"MeanActivation and Coverage must both have {LatentCount} values (one per latent); got {meanActivation.Length} and {coverage.Length}.");
        }

        if (scores.Length != _latents.Length)
        {
            throw new ArgumentException($"scores must have {_latents.Length} values (one per concept); got {scores.Length}.", nameof(scores));
        }

        for (var i = 0; i < _latents.Length; i++)
        {
            var latents = _latents[i];
            if (latents.Length == 1 && _factors[i][0] == 1.0)
            {
                scores[i] = LatentScore(criterion, meanActivation, coverage, latents[0]);
                continue;
            }

            var factors = _factors[i];
            var sum = 0.0;
            for (var j = 0; j < latents.Length; j++)
            {
                sum += factors[j] * LatentScore(criterion, meanActivation, coverage, latents[j]);
            }

            scores[i] = (float)sum;
        }
    }

    /// <summary>ConceptScores of one clip as a new array.</summary>
    public float[] Score(ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage)
    {
        var scores = new float[_latents.Length];
        Score(meanActivation, coverage, scores);
        return scores;
    }

    /// <summary>
    /// The names of the best scoring concepts, best first (ties: dictionary order; a name repeated by several
    /// concepts is listed once), joined by the separator; empty when no score passes the minimum.
    /// </summary>
    public string TopConcepts(ReadOnlySpan<float> scores, ConceptApplyOptions? options = null)
    {
        options ??= new ConceptApplyOptions();
        if (scores.Length != _latents.Length)
        {
            throw new ArgumentException($"scores must have {_latents.Length} values (one per concept); got {scores.Length}.", nameof(scores));
        }

        if (options.TopConceptCount <= 0)
        {
            return string.Empty;
        }

        var candidates = new List<(float Score, int Index)>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > options.MinimumScore)
            {
                candidates.Add((scores[i], i));
            }
        }

        candidates.Sort(static (a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : a.Index.CompareTo(b.Index);
        });
        var names = new List<string>(options.TopConceptCount);
        foreach (var (_, index) in candidates)
        {
            var name = Concepts[index].Name;
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
                if (names.Count == options.TopConceptCount)
                {
                    break;
                }
            }
        }

        return string.Join(options.Separator, names);
    }

    /// <summary>One latent's score under <paramref name="criterion"/> (<see cref="RankingCriterion.Random"/>: μ·c).</summary>
    internal static float LatentScore(RankingCriterion criterion, ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage, int latent) => criterion switch
    {
        RankingCriterion.MeanActivation => meanActivation[latent],
        RankingCriterion.Coverage => coverage[latent],
        _ => meanActivation[latent] * coverage[latent],
    };

    /// <summary>True when the two dictionaries hold the same concepts, order, names and statistics.</summary>
    public bool ContentEquals(ConceptDictionary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ConceptDictionaryJson.Serialize(this) == ConceptDictionaryJson.Serialize(other);
    }
}
