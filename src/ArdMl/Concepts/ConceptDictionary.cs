namespace ArdMl.Concepts;

/// <summary>
/// The outcome of concept discovery and the state applied to new clips: the kept concepts in dictionary order (most
/// monosemantic first), the dead latents, and how the ranking was done. A new clip's statistics (μ, c) map to
/// ConceptScores (r = μ·c of each concept's latent, in dictionary order) and TopConcepts (the names of the best
/// scoring concepts). Saved and loaded as versioned JSON (<see cref="ConceptDictionaryJson"/>).
/// </summary>
public sealed class ConceptDictionary
{
    private readonly int[] _latents;

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
            if ((uint)concept.Latent >= (uint)latentCount)
            {
                throw new ArgumentException($"Concept '{concept.Name}' refers to latent {concept.Latent}, outside 0..{latentCount - 1}.", nameof(concepts));
            }

            if (!seen.Add(concept.Latent))
            {
                throw new ArgumentException($"Latent {concept.Latent} appears in two concepts.", nameof(concepts));
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
        _latents = [.. concepts.Select(c => c.Latent)];
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

    /// <summary>Writes r = μ·c of every concept's latent into <paramref name="scores"/> (length = concept count).</summary>
    public void Score(ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage, Span<float> scores)
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
            var latent = _latents[i];
            scores[i] = meanActivation[latent] * coverage[latent];
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

    /// <summary>True when the two dictionaries hold the same concepts, order, names and statistics.</summary>
    public bool ContentEquals(ConceptDictionary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ConceptDictionaryJson.Serialize(this) == ConceptDictionaryJson.Serialize(other);
    }
}
