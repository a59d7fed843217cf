using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ArdMl.Concepts;

/// <summary>
/// Pass 1 of concept discovery (retrieve): a streaming ranker over per-clip latent statistics (μ, c). For every latent
/// it keeps the p most and p least representative clips in bounded heaps, plus density and summary statistics, in
/// O(m·p) memory whatever the number of clips. Clips are added one at a time (dense spans, sparse index/value spans,
/// or raw frame activations for the raw-neuron baseline); <see cref="Complete"/> returns the result.
/// </summary>
/// <remarks>
/// Order: the candidate clips of a latent are ranked by score descending, then clip id ascending (ordinal); H is the
/// first p of that ranking and L the last p, reported least representative first (score ascending, then clip id
/// descending). The result therefore does not depend on the order in which clips arrive, and H and L never overlap.
/// Not thread-safe: feed it from one thread.
/// </remarks>
public sealed class ConceptRanker
{
    private readonly int _latentCount;
    private readonly ConceptRankerOptions _options;
    private readonly ClipHandleTable _clips = new();
    private readonly BoundedClipHeaps _top;
    private readonly BoundedClipHeaps _bottom;
    private readonly float[] _topThreshold;
    private readonly float[] _bottomThreshold;
    private readonly LatentTally[] _tallies;
    private readonly int[] _sparseStamp;
    private readonly ClipIdHashSet? _seenClips;
    private float[]? _denseMean;
    private float[]? _denseCoverage;
    private int _sparseEpoch;
    private long _clipCount;
    private ulong _currentHash;
    private string _currentId = string.Empty;
    private string? _faultedBy;

    /// <summary>Creates a ranker for <paramref name="latentCount"/> latents.</summary>
    public ConceptRanker(int latentCount, ConceptRankerOptions? options = null)
    {
        if (latentCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latentCount), latentCount, "The number of latents must be positive.");
        }

        _options = options ?? new ConceptRankerOptions();
        _options.Validate();
        if ((long)latentCount * _options.ClipsPerSet > int.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(latentCount), "latentCount × ClipsPerSet is too large.");
        }

        _latentCount = latentCount;
        _top = new BoundedClipHeaps(latentCount, _options.ClipsPerSet, _clips, keepSmallerIds: true);
        _bottom = new BoundedClipHeaps(latentCount, _options.ClipsPerSet, _clips, keepSmallerIds: false);
        _topThreshold = _top.Threshold;
        _bottomThreshold = _bottom.Threshold;
        _tallies = new LatentTally[latentCount];
        Array.Fill(_tallies, new LatentTally { RepresentativenessMax = float.NegativeInfinity });
        _sparseStamp = new int[latentCount];
        _seenClips = _options.RejectDuplicateClipIds ? new ClipIdHashSet() : null;
    }

    /// <summary>Number of latents (m).</summary>
    public int LatentCount => _latentCount;

    /// <summary>Number of clips added so far.</summary>
    public long ClipCount => _clipCount;

    /// <summary>The options in use.</summary>
    public ConceptRankerOptions Options => _options;

    /// <summary>
    /// Number of distinct clips currently in some H or L set: at most 2·m·p (+1 while a clip is being added), so the
    /// clip ids the ranker keeps are bounded by O(m·p), and by the number of clips while that is smaller.
    /// </summary>
    public int HeldClipCount => _clips.LiveCount;

    /// <summary>
    /// Bytes held by the ranker's own arrays (heaps, statistics, handle table), excluding clip-id strings and the
    /// duplicate-id set (<see cref="DuplicateCheckBytes"/>): the O(m·p) part.
    /// </summary>
    public long StateBytes =>
        _top.ArrayBytes + _bottom.ArrayBytes + _clips.ArrayBytes + ((long)_latentCount * (32 + 4))
        + ((_denseMean?.Length ?? 0) * 8L);

    /// <summary>Bytes of the duplicate-id set: 16–32 bytes per clip while <see cref="ConceptRankerOptions.RejectDuplicateClipIds"/> is on.</summary>
    public long DuplicateCheckBytes => _seenClips?.Bytes ?? 0;

    /// <summary>
    /// Adds a clip from dense statistics: μ and c of every latent (both of length m). Values are checked as they are
    /// used: a coverage outside [0, 1] or a non-finite μ on an active latent throws after the clip's earlier latents
    /// were counted, and the ranker then refuses further use (<see cref="InvalidOperationException"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong lengths, coverage outside [0, 1] or a non-finite μ on an active latent.</exception>
    /// <exception cref="DuplicateClipIdException">The clip id was added before.</exception>
    public void AddClip(string clipId, ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage)
    {
        if (meanActivation.Length != _latentCount || coverage.Length != _latentCount)
        {
            throw new ArgumentException(
                $"Clip '{clipId}': MeanActivation and Coverage must both have {_latentCount} values (one per latent); got {meanActivation.Length} and {coverage.Length}.");
        }

        BeginClip(clipId);
        try
        {
            UpdateDense(meanActivation, coverage);
        }
        catch (ArgumentException)
        {
            // Dense values are checked as they are used (a separate pass would cost a second scan of 2·m values):
            // the clip is then part-applied and the ranking can no longer be trusted.
            _faultedBy = clipId;
            throw;
        }
        finally
        {
            _clips.EndClip();
        }
    }

    /// <summary>
    /// Adds a clip from sparse statistics: the latents listed in <paramref name="latentIndices"/> (distinct, any
    /// order) with their μ and c; every other latent is silent on the clip (μ = c = 0). Everything is checked before
    /// any update, so a rejected clip leaves the ranker unchanged.
    /// </summary>
    public void AddClip(string clipId, ReadOnlySpan<int> latentIndices, ReadOnlySpan<float> meanActivation, ReadOnlySpan<float> coverage)
    {
        if (latentIndices.Length != meanActivation.Length || latentIndices.Length != coverage.Length)
        {
            throw new ArgumentException(
                $"Clip '{clipId}': latent indices, MeanActivation and Coverage must have the same length; got {latentIndices.Length}, {meanActivation.Length} and {coverage.Length}.");
        }

        var epoch = ++_sparseEpoch;
        if (epoch == int.MaxValue)
        {
            Array.Clear(_sparseStamp);
            _sparseEpoch = epoch = 1;
        }

        foreach (var index in latentIndices)
        {
            if ((uint)index >= (uint)_latentCount)
            {
                throw new ArgumentException($"Clip '{clipId}': latent index {index} is outside 0..{_latentCount - 1}.", nameof(latentIndices));
            }

            if (_sparseStamp[index] == epoch)
            {
                throw new ArgumentException($"Clip '{clipId}': latent index {index} is listed twice.", nameof(latentIndices));
            }

            _sparseStamp[index] = epoch;
        }

        // Sparse values are all checked before anything is updated, so a rejected clip leaves the ranker as it was.
        for (var i = 0; i < latentIndices.Length; i++)
        {
            var c = coverage[i];
            if (!(c >= 0f && c <= 1f))
            {
                throw new ArgumentException(
                    $"Clip '{clipId}': Coverage of latent {latentIndices[i]} is {c}; a coverage is a share of frames in [0, 1].", nameof(coverage));
            }

            if (c != 0f && !float.IsFinite(meanActivation[i]))
            {
                throw new ArgumentException(
                    $"Clip '{clipId}': MeanActivation of latent {latentIndices[i]} is {meanActivation[i]}; expected a finite number.", nameof(meanActivation));
            }
        }

        if (_options.Candidates == CandidateClips.AllClips)
        {
            var (mean, cover) = DenseScratch();
            for (var i = 0; i < latentIndices.Length; i++)
            {
                mean[latentIndices[i]] = meanActivation[i];
                cover[latentIndices[i]] = coverage[i];
            }

            try
            {
                AddClip(clipId, mean, cover);
            }
            finally
            {
                foreach (var index in latentIndices)
                {
                    mean[index] = 0f;
                    cover[index] = 0f;
                }
            }

            return;
        }

        BeginClip(clipId);
        try
        {
            switch (_options.Criterion)
            {
                case RankingCriterion.MeanTimesCoverage:
                    UpdateSparse<ProductScore>(latentIndices, meanActivation, coverage);
                    break;
                case RankingCriterion.MeanActivation:
                    UpdateSparse<MeanScore>(latentIndices, meanActivation, coverage);
                    break;
                case RankingCriterion.Coverage:
                    UpdateSparse<CoverageScore>(latentIndices, meanActivation, coverage);
                    break;
                default:
                    UpdateSparse<RandomScore>(latentIndices, meanActivation, coverage);
                    break;
            }
        }
        finally
        {
            _clips.EndClip();
        }
    }

    /// <summary>
    /// Adds a clip from raw frame activations (frames × m, row-major), for the "raw neurons" baseline: μ and c are
    /// computed with <see cref="ClipStatistics.FromFrames"/> (a unit fires where its value exceeds
    /// <paramref name="firingThreshold"/>, default 0) and ranked like SAE latents.
    /// </summary>
    public void AddClipFrames(string clipId, ReadOnlySpan<float> frames, float firingThreshold = 0f, ClipMeanMode meanMode = ClipMeanMode.AllFrames)
    {
        if (frames.Length % _latentCount != 0)
        {
            throw new ArgumentException(
                $"Clip '{clipId}': the activations hold {frames.Length} values, not a whole number of frames of width {_latentCount}.", nameof(frames));
        }

        var (mean, cover) = DenseScratch();
        ClipStatistics.FromFrames(frames, _latentCount, mean, cover, firingThreshold, meanMode);
        try
        {
            AddClip(clipId, mean, cover);
        }
        finally
        {
            Array.Clear(mean);
            Array.Clear(cover);
        }
    }

    /// <summary>Returns the ranking of the clips added so far (the ranker stays usable).</summary>
    public RankingResult Complete()
    {
        ThrowIfFaulted();
        var latents = new LatentRanking[_latentCount];
        for (var j = 0; j < _latentCount; j++)
        {
            var top = _top.Sorted(j);
            var topClips = new RankedClip[top.Length];
            for (var i = 0; i < top.Length; i++)
            {
                topClips[i] = new RankedClip(top[i].ClipId, top[i].Representativeness, top[i].Key);
            }

            // H and L are the two ends of one ranking; they overlap only when there are fewer than 2p candidates.
            var bottom = _bottom.Sorted(j);
            var inTop = top.Length > 16 ? topClips.Select(c => c.ClipId).ToHashSet(StringComparer.Ordinal) : null;
            var bottomClips = new List<RankedClip>(bottom.Length);
            foreach (var entry in bottom)
            {
                var overlaps = inTop?.Contains(entry.ClipId) ?? Array.Exists(topClips, c => string.Equals(c.ClipId, entry.ClipId, StringComparison.Ordinal));
                if (!overlaps)
                {
                    bottomClips.Add(new RankedClip(entry.ClipId, entry.Representativeness, -entry.Key));
                }
            }

            ref readonly var tally = ref _tallies[j];
            latents[j] = new LatentRanking(
                j,
                topClips,
                bottomClips,
                tally.ActiveCount,
                _clipCount,
                tally.CoverageSum,
                tally.RepresentativenessSum,
                tally.RepresentativenessMax,
                tally.PositiveCount);
        }

        return new RankingResult(_options, _clipCount, latents);
    }

    private void BeginClip(string clipId)
    {
        ThrowIfFaulted();
        ArgumentNullException.ThrowIfNull(clipId);
        if (clipId.Length == 0)
        {
            throw new ArgumentException("A clip id must not be empty.", nameof(clipId));
        }

        if (_seenClips is not null && !_seenClips.Add(clipId))
        {
            throw new DuplicateClipIdException(clipId, "the clips given to ConceptRanker");
        }

        _clipCount++;
        _currentId = clipId;
        _currentHash = ClipIdHash.Hash64(clipId);
        _clips.BeginClip(clipId);
    }

    private void ThrowIfFaulted()
    {
        if (_faultedBy is not null)
        {
            throw new InvalidOperationException(
                $"ConceptRanker: clip '{_faultedBy}' was rejected part-way through a dense update, so this ranking is incomplete; " +
                "start a new ranker (sparse input is checked before any update and never leaves a ranker in this state).");
        }
    }

    private (float[] Mean, float[] Coverage) DenseScratch()
    {
        _denseMean ??= new float[_latentCount];
        _denseCoverage ??= new float[_latentCount];
        return (_denseMean, _denseCoverage);
    }

    private void UpdateDense(ReadOnlySpan<float> mean, ReadOnlySpan<float> coverage)
    {
        var all = _options.Candidates == CandidateClips.AllClips;
        switch (_options.Criterion)
        {
            case RankingCriterion.MeanTimesCoverage:
                if (all)
                {
                    UpdateDenseAll<ProductScore>(mean, coverage);
                }
                else
                {
                    UpdateDenseActive<ProductScore>(mean, coverage);
                }

                break;
            case RankingCriterion.MeanActivation:
                if (all)
                {
                    UpdateDenseAll<MeanScore>(mean, coverage);
                }
                else
                {
                    UpdateDenseActive<MeanScore>(mean, coverage);
                }

                break;
            case RankingCriterion.Coverage:
                if (all)
                {
                    UpdateDenseAll<CoverageScore>(mean, coverage);
                }
                else
                {
                    UpdateDenseActive<CoverageScore>(mean, coverage);
                }

                break;
            default:
                if (all)
                {
                    UpdateDenseAll<RandomScore>(mean, coverage);
                }
                else
                {
                    UpdateDenseActive<RandomScore>(mean, coverage);
                }

                break;
        }
    }

    private void UpdateDenseActive<TScore>(ReadOnlySpan<float> mean, ReadOnlySpan<float> coverage)
        where TScore : struct, IScoreRule
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Most coverages are zero: test 8 at a time and visit only the lanes that are not exactly zero.
            ref var start = ref MemoryMarshal.GetReference(coverage);
            for (; j <= _latentCount - 8; j += 8)
            {
                var block = Vector256.LoadUnsafe(ref start, (nuint)j);
                var nonZero = ~Vector256.Equals(block, Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
                while (nonZero != 0)
                {
                    var i = j + BitOperations.TrailingZeroCount(nonZero);
                    nonZero &= nonZero - 1;
                    UpdateActive<TScore>(i, mean[i], coverage[i]);
                }
            }
        }

        for (; j < _latentCount; j++)
        {
            var c = coverage[j];
            if (c != 0f)
            {
                UpdateActive<TScore>(j, mean[j], c);
            }
        }
    }

    private void UpdateDenseAll<TScore>(ReadOnlySpan<float> mean, ReadOnlySpan<float> coverage)
        where TScore : struct, IScoreRule
    {
        for (var j = 0; j < _latentCount; j++)
        {
            var c = coverage[j];
            if (c != 0f)
            {
                UpdateActive<TScore>(j, mean[j], c);
            }
            else
            {
                var score = TScore.Silent(mean[j]);
                if (!float.IsFinite(score))
                {
                    throw BadMean(j, mean[j]);
                }

                Offer(j, score, 0f);
            }
        }
    }

    private void UpdateSparse<TScore>(ReadOnlySpan<int> indices, ReadOnlySpan<float> mean, ReadOnlySpan<float> coverage)
        where TScore : struct, IScoreRule
    {
        for (var i = 0; i < indices.Length; i++)
        {
            var c = coverage[i];
            if (c != 0f)
            {
                UpdateActive<TScore>(indices[i], mean[i], c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UpdateActive<TScore>(int j, float mean, float coverage)
        where TScore : struct, IScoreRule
    {
        if (!(coverage > 0f && coverage <= 1f))
        {
            throw new ArgumentException(
                $"Clip '{_currentId}': Coverage of latent {j} is {coverage}; a coverage is a share of frames in [0, 1].");
        }

        if (!float.IsFinite(mean))
        {
            throw BadMean(j, mean);
        }

        var r = mean * coverage;
        ref var tally = ref _tallies[j];
        tally.ActiveCount++;
        tally.CoverageSum += coverage;
        tally.RepresentativenessSum += r;
        if (r > tally.RepresentativenessMax)
        {
            tally.RepresentativenessMax = r;
        }

        if (r > 0f)
        {
            tally.PositiveCount++;
        }

        Offer(j, TScore.Active(mean, coverage, r, _currentHash, j, _options.RandomSeed), r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Offer(int j, float score, float r)
    {
        if (score >= _topThreshold[j])
        {
            _top.Offer(j, score, r);
        }

        if (-score >= _bottomThreshold[j])
        {
            _bottom.Offer(j, -score, r);
        }
    }

    private ArgumentException BadMean(int latent, float mean) =>
        new($"Clip '{_currentId}': MeanActivation of latent {latent} is {mean}; expected a finite number.");

    /// <summary>Per-latent running statistics, kept together so one active update touches one cache line.</summary>
    private struct LatentTally
    {
        public double CoverageSum;
        public double RepresentativenessSum;
        public int ActiveCount;
        public int PositiveCount;
        public float RepresentativenessMax;
    }

    private interface IScoreRule
    {
        static abstract float Active(float mean, float coverage, float representativeness, ulong clipHash, int latent, ulong seed);

        static abstract float Silent(float mean);
    }

    private readonly struct ProductScore : IScoreRule
    {
        public static float Active(float mean, float coverage, float representativeness, ulong clipHash, int latent, ulong seed) =>
            representativeness;

        public static float Silent(float mean) => 0f;
    }

    private readonly struct MeanScore : IScoreRule
    {
        public static float Active(float mean, float coverage, float representativeness, ulong clipHash, int latent, ulong seed) => mean;

        public static float Silent(float mean) => mean;
    }

    private readonly struct CoverageScore : IScoreRule
    {
        public static float Active(float mean, float coverage, float representativeness, ulong clipHash, int latent, ulong seed) => coverage;

        public static float Silent(float mean) => 0f;
    }

    private readonly struct RandomScore : IScoreRule
    {
        public static float Active(float mean, float coverage, float representativeness, ulong clipHash, int latent, ulong seed) =>
            ClipIdHash.UnitKey(clipHash, latent, seed);

        public static float Silent(float mean) => 0f;
    }
}
