namespace ArdMl.Concepts;

/// <summary>The outcome of pass 1 (retrieve): per latent its H and L sets, density and summary statistics.</summary>
public sealed class RankingResult
{
    internal RankingResult(ConceptRankerOptions options, long clipCount, IReadOnlyList<LatentRanking> latents)
    {
        Options = options;
        ClipCount = clipCount;
        Latents = latents;
    }

    /// <summary>The options the ranker ran with.</summary>
    public ConceptRankerOptions Options { get; }

    /// <summary>Number of clips ranked.</summary>
    public long ClipCount { get; }

    /// <summary>Number of latents (m).</summary>
    public int LatentCount => Latents.Count;

    /// <summary>One entry per latent, in latent order.</summary>
    public IReadOnlyList<LatentRanking> Latents { get; }

    /// <summary>
    /// The distinct clips that appear in any H or L set, in ordinal id order: the only clips whose embeddings pass 2
    /// needs (at most 2·m·p).
    /// </summary>
    public IReadOnlyList<string> ClipIdsInSets()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var latent in Latents)
        {
            foreach (var clip in latent.Top)
            {
                ids.Add(clip.ClipId);
            }

            foreach (var clip in latent.Bottom)
            {
                ids.Add(clip.ClipId);
            }
        }

        var sorted = ids.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
