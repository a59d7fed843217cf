namespace ArdMl.Concepts;

/// <summary>
/// Pass 2 of concept discovery: collects the embeddings of exactly the clips that appear in some H or L set of a
/// <see cref="RankingResult"/> (memory O(m·p·e) at most), while the caller streams the corpus a second time. The
/// embedding is pluggable: the caller's own per-clip vector (for example a CLAP-style audio embedding), or by default
/// the clip's mean-pooled frame activations (<see cref="OfferFrames"/>). Every stored embedding is L2-normalised once,
/// so cosine similarities are plain dot products; an all-zero embedding stays zero (cosine 0 with everything).
/// </summary>
public sealed class ClipEmbeddingCollector
{
    private readonly Dictionary<string, float[]?> _embeddings;
    private float[]? _poolScratch;

    /// <summary>Creates a collector for the clips in <paramref name="ranking"/>'s H and L sets.</summary>
    public ClipEmbeddingCollector(RankingResult ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        _embeddings = new Dictionary<string, float[]?>(StringComparer.Ordinal);
        foreach (var id in ranking.ClipIdsInSets())
        {
            _embeddings[id] = null;
        }
    }

    /// <summary>The embedding width, known after the first stored embedding (0 before).</summary>
    public int Dimension { get; private set; }

    /// <summary>Number of clips whose embedding is needed.</summary>
    public int RequiredCount => _embeddings.Count;

    /// <summary>Number of needed embeddings collected so far.</summary>
    public int CollectedCount { get; private set; }

    /// <summary>True when every needed embedding has been collected (pass 2 may stop early).</summary>
    public bool IsComplete => CollectedCount == _embeddings.Count;

    /// <summary>Whether pass 2 needs <paramref name="clipId"/>'s embedding (cheap; lets the caller skip work).</summary>
    public bool IsRequired(string clipId) => _embeddings.TryGetValue(clipId, out var stored) && stored is null;

    /// <summary>The clips still missing an embedding, in ordinal order.</summary>
    public IReadOnlyList<string> MissingClipIds() =>
        [.. _embeddings.Where(pair => pair.Value is null).Select(pair => pair.Key).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Offers a clip's embedding; stores a normalised copy when the clip is needed. Returns whether it was stored.
    /// </summary>
    /// <exception cref="ArgumentException">The width differs from earlier embeddings, or a value is not finite.</exception>
    /// <exception cref="DuplicateClipIdException">The clip's embedding was already given.</exception>
    public bool Offer(string clipId, ReadOnlySpan<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        if (!_embeddings.TryGetValue(clipId, out var stored))
        {
            return false;
        }

        if (stored is not null)
        {
            throw new DuplicateClipIdException(clipId, "the clips given to ClipEmbeddingCollector (pass 2)");
        }

        if (embedding.Length == 0)
        {
            throw new ArgumentException($"Clip '{clipId}': the embedding is empty.", nameof(embedding));
        }

        if (Dimension != 0 && embedding.Length != Dimension)
        {
            throw new ArgumentException(
                $"Clip '{clipId}': the embedding has {embedding.Length} values; earlier embeddings have {Dimension}.", nameof(embedding));
        }

        var copy = embedding.ToArray();
        double norm = 0;
        foreach (var value in copy)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"Clip '{clipId}': the embedding contains {value}; expected finite values.", nameof(embedding));
            }

            norm += (double)value * value;
        }

        if (norm > 0)
        {
            var scale = (float)(1.0 / Math.Sqrt(norm));
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i] *= scale;
            }
        }

        Dimension = embedding.Length;
        _embeddings[clipId] = copy;
        CollectedCount++;
        return true;
    }

    /// <summary>
    /// Offers a clip's frame activations (frames × <paramref name="width"/>, row-major); when the clip is needed its
    /// mean-pooled activations become its embedding (the default embedding). Returns whether it was stored.
    /// </summary>
    public bool OfferFrames(string clipId, ReadOnlySpan<float> frames, int width)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        if (!_embeddings.TryGetValue(clipId, out var stored))
        {
            return false;
        }

        if (stored is not null)
        {
            throw new DuplicateClipIdException(clipId, "the clips given to ClipEmbeddingCollector (pass 2)");
        }

        if (_poolScratch is null || _poolScratch.Length != width)
        {
            _poolScratch = new float[width];
        }

        ClipStatistics.MeanPool(frames, width, _poolScratch);
        return Offer(clipId, _poolScratch);
    }

    /// <summary>The normalised embedding of a collected clip, or null where it was not collected.</summary>
    public ReadOnlySpan<float> NormalisedEmbedding(string clipId) =>
        _embeddings.TryGetValue(clipId, out var stored) && stored is not null ? stored : default;

    internal float[]? Find(string clipId) => _embeddings.TryGetValue(clipId, out var stored) ? stored : null;
}
