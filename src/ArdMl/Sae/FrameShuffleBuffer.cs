namespace ArdMl.Sae;

/// <summary>Position of the shuffle buffer in the frame source, saved in checkpoints.</summary>
internal sealed record FrameSourcePosition(long Epoch, long ClipsStarted, long FrameInClip, long FramesThisEpoch, long SkippedFrames);

/// <summary>
/// Streams frames from per-clip blocks through a bounded shuffle buffer: batches are drawn uniformly from the buffer
/// and each drawn slot is refilled from the source, so memory is bounded by the capacity whatever the corpus size.
/// When the source ends, the buffer drains and a new epoch re-enumerates the source. Deterministic for a given seed
/// and resumable from (position, buffer contents, RNG state).
/// </summary>
internal sealed class FrameShuffleBuffer : IDisposable
{
    private readonly IEnumerable<float[]> _source;
    private readonly int _d;
    private readonly int _capacity;
    private readonly InvalidFrameHandling _invalid;
    private readonly DeterministicRandom _random;
    private readonly float[] _buffer;
    private IEnumerator<float[]>? _enumerator;
    private float[]? _clip;
    private long _epoch;
    private long _clipsStarted;
    private long _frameInClip;
    private long _framesThisEpoch;
    private long _skipped;
    private bool _exhausted;

    public FrameShuffleBuffer(IEnumerable<float[]> source, int d, int capacity, InvalidFrameHandling invalid, DeterministicRandom random)
    {
        _source = source;
        _d = d;
        _capacity = capacity;
        _invalid = invalid;
        _random = random;
        _buffer = new float[(long)capacity * d];
    }

    public int Count { get; private set; }

    public long SkippedFrames => _skipped;

    public ReadOnlySpan<float> Contents => _buffer.AsSpan(0, Count * _d);

    public FrameSourcePosition Position => new(_epoch, _clipsStarted, _frameInClip, _framesThisEpoch, _skipped);

    /// <summary>Fills the buffer up to its capacity (or until the source ends).</summary>
    public void Fill()
    {
        while (Count < _capacity && TryReadFrame(_buffer.AsSpan(Count * _d, _d)))
        {
            Count++;
        }

        if (Count == 0)
        {
            StartNewEpoch();
            while (Count < _capacity && TryReadFrame(_buffer.AsSpan(Count * _d, _d)))
            {
                Count++;
            }
        }
    }

    /// <summary>Draws <paramref name="frames"/> frames into <paramref name="destination"/> (frames × d).</summary>
    public void NextBatch(Span<float> destination, int frames)
    {
        Fill();
        for (int i = 0; i < frames; i++)
        {
            if (Count == 0)
            {
                StartNewEpoch();
                Fill();
            }

            int slot = _random.NextInt(Count);
            var target = _buffer.AsSpan(slot * _d, _d);
            target.CopyTo(destination.Slice(i * _d, _d));
            if (!TryReadFrame(target))
            {
                Count--;
                _buffer.AsSpan(Count * _d, _d).CopyTo(target);
            }
        }
    }

    /// <summary>Restores a saved state: re-enumerates the source up to the saved position (reading, not training).</summary>
    public void Restore(FrameSourcePosition position, ReadOnlySpan<float> contents)
    {
        if (contents.Length % _d != 0 || contents.Length / _d > _capacity)
        {
            throw new InvalidDataException($"Checkpoint shuffle buffer holds {contents.Length} values, not a whole number of frames of width {_d} within capacity {_capacity}.");
        }

        contents.CopyTo(_buffer);
        Count = contents.Length / _d;
        _enumerator?.Dispose();
        _enumerator = null;
        _clip = null;
        _exhausted = false;
        _epoch = position.Epoch;
        _clipsStarted = 0;
        _framesThisEpoch = position.FramesThisEpoch;
        _skipped = position.SkippedFrames;
        _enumerator = _source.GetEnumerator();
        while (_clipsStarted < position.ClipsStarted)
        {
            if (!_enumerator.MoveNext())
            {
                throw new InvalidDataException($"The frame source has fewer clips ({_clipsStarted}) than the checkpoint had read ({position.ClipsStarted}); resume needs the same source.");
            }

            _clip = _enumerator.Current;
            _clipsStarted++;
        }

        _frameInClip = position.FrameInClip;
    }

    private void StartNewEpoch()
    {
        if (_enumerator is not null && _framesThisEpoch == 0)
        {
            throw new InvalidDataException(_skipped > 0
                ? $"The frame source yielded no valid frames ({_skipped} frames skipped for NaN/Inf)."
                : "The frame source yielded zero frames: nothing to train on.");
        }

        _enumerator?.Dispose();
        _enumerator = null;
        _clip = null;
        _exhausted = false;
        if (_clipsStarted > 0 || _framesThisEpoch > 0)
        {
            _epoch++;
        }

        _clipsStarted = 0;
        _frameInClip = 0;
        _framesThisEpoch = 0;
    }

    private bool TryReadFrame(Span<float> target)
    {
        while (true)
        {
            if (_exhausted)
            {
                return false;
            }

            _enumerator ??= _source.GetEnumerator();
            if (_clip is null || _frameInClip >= _clip.Length / _d)
            {
                if (!_enumerator.MoveNext())
                {
                    _exhausted = true;
                    _clip = null;
                    return false;
                }

                _clip = _enumerator.Current ?? throw new InvalidDataException($"Clip {_clipsStarted} of the frame source is null.");
                _clipsStarted++;
                _frameInClip = 0;
                if (_clip.Length % _d != 0)
                {
                    throw new InvalidDataException(
                        $"Clip {_clipsStarted - 1} of the frame source has {_clip.Length} values, not a whole number of frames of width d = {_d}.");
                }

                continue;
            }

            var frame = _clip.AsSpan((int)(_frameInClip * _d), _d);
            _frameInClip++;
            if (!SaeKernels.AllFinite(frame))
            {
                if (_invalid == InvalidFrameHandling.Throw)
                {
                    throw new InvalidDataException(
                        $"Frame {_frameInClip - 1} of clip {_clipsStarted - 1} contains NaN or infinity (set InvalidFrames = Skip to skip such frames).");
                }

                _skipped++;
                continue;
            }

            frame.CopyTo(target);
            _framesThisEpoch++;
            return true;
        }
    }

    public void Dispose() => _enumerator?.Dispose();
}
