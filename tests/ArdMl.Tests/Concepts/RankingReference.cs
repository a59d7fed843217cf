using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

/// <summary>Brute-force reference of the ranker: holds every clip's statistics and sorts.</summary>
internal sealed class RankingReference(ConceptRankerOptions options)
{
    private readonly List<(string Id, float[] Mean, float[] Coverage)> _clips = [];

    public void Add(string id, float[] mean, float[] coverage) => _clips.Add((id, mean, coverage));

    public (List<RankedClip> Top, List<RankedClip> Bottom) Sets(int latent)
    {
        var candidates = _clips
            .Where(c => options.Candidates == CandidateClips.AllClips || c.Coverage[latent] > 0)
            .Select(c => (c.Id, R: c.Mean[latent] * c.Coverage[latent], Score: ScoreOf(c.Id, c.Mean[latent], c.Coverage[latent], latent)))
            .ToList();
        var top = candidates
            .OrderByDescending(c => c.Score).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Take(options.ClipsPerSet)
            .Select(c => new RankedClip(c.Id, c.R, c.Score))
            .ToList();
        var topIds = top.Select(t => t.ClipId).ToHashSet();
        var bottom = candidates
            .OrderBy(c => c.Score).ThenByDescending(c => c.Id, StringComparer.Ordinal)
            .Take(options.ClipsPerSet)
            .Where(c => !topIds.Contains(c.Id))
            .Select(c => new RankedClip(c.Id, c.R, c.Score))
            .ToList();
        return (top, bottom);
    }

    public (int Active, double Share, double MeanCoverage, double MeanR, float MaxR, int Positive) Stats(int latent)
    {
        var active = _clips.Where(c => c.Coverage[latent] > 0).ToList();
        var n = _clips.Count;
        return (
            active.Count,
            (double)active.Count / n,
            active.Sum(c => (double)c.Coverage[latent]) / n,
            active.Sum(c => (double)(c.Mean[latent] * c.Coverage[latent])) / n,
            active.Count == 0 ? 0f : active.Max(c => c.Mean[latent] * c.Coverage[latent]),
            active.Count(c => c.Mean[latent] * c.Coverage[latent] > 0));
    }

    private float ScoreOf(string id, float mean, float coverage, int latent) => options.Criterion switch
    {
        RankingCriterion.MeanTimesCoverage => mean * coverage,
        RankingCriterion.MeanActivation => mean,
        RankingCriterion.Coverage => coverage,
        _ => coverage > 0 ? RandomKey(id, latent, options.RandomSeed) : 0f,
    };

    // Independent re-statement of the documented random key: SplitMix64-finished FNV-1a of the id, mixed with the
    // seed and the latent, top 24 bits + 1, scaled by 2^-24.
    private static float RandomKey(string id, int latent, ulong seed)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in id)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        hash = Mix(hash);
        var x = Mix(hash ^ (seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)latent * 0xD1B54A32D192ED03UL));
        return ((x >> 40) + 1) / 16777216f;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
