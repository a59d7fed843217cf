namespace ArdMl.Concepts;

/// <summary>
/// One bounded heap of capacity p per latent, in flat arrays (latent j owns slots j·p .. j·p+p−1), keeping the p
/// clips with the largest keys; on equal keys the ordinally smaller clip id is kept (or the larger one, for the bottom
/// set). The root of each heap is its worst entry, and <see cref="Threshold"/> holds the root key of full heaps (−∞
/// otherwise) so the caller can skip the heap entirely unless a key reaches it. The bottom set L uses a second
/// instance fed with negated scores that keeps the larger ids on ties, so that H and L are the two ends of one order.
/// </summary>
internal sealed class BoundedClipHeaps
{
    private readonly int _capacity;
    private readonly ClipHandleTable _clips;
    private readonly int[] _handles;
    private readonly float[] _keys;
    private readonly float[] _representativeness;
    private readonly int[] _sizes;
    private readonly int _tieSign;

    public BoundedClipHeaps(int latentCount, int capacity, ClipHandleTable clips, bool keepSmallerIds)
    {
        _tieSign = keepSmallerIds ? 1 : -1;
        _capacity = capacity;
        _clips = clips;
        _handles = new int[latentCount * capacity];
        _keys = new float[latentCount * capacity];
        _representativeness = new float[latentCount * capacity];
        _sizes = new int[latentCount];
        Threshold = new float[latentCount];
        Array.Fill(Threshold, float.NegativeInfinity);
    }

    /// <summary>Per latent: the key a clip must reach to be considered (−∞ while the heap is not full).</summary>
    public float[] Threshold { get; }

    /// <summary>Bytes held by the arrays.</summary>
    public long ArrayBytes => (long)_handles.Length * 12 + (long)_sizes.Length * 8;

    /// <summary>Offers the current clip of the handle table to latent <paramref name="latent"/>'s heap.</summary>
    public void Offer(int latent, float key, float representativeness)
    {
        var start = latent * _capacity;
        var size = _sizes[latent];
        if (size < _capacity)
        {
            var handle = _clips.CurrentHandle();
            _clips.AddReference(handle);
            var i = size;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!CandidateWorseThan(key, start + parent))
                {
                    break;
                }

                Move(start + parent, start + i);
                i = parent;
            }

            Store(start + i, handle, key, representativeness);
            _sizes[latent] = size + 1;
            if (size + 1 == _capacity)
            {
                Threshold[latent] = _keys[start];
            }

            return;
        }

        if (CandidateWorseThan(key, start))
        {
            return;
        }

        _clips.Release(_handles[start]);
        var current = _clips.CurrentHandle();
        _clips.AddReference(current);
        var slot = 0;
        while (true)
        {
            var left = (2 * slot) + 1;
            if (left >= _capacity)
            {
                break;
            }

            var worseChild = left;
            var right = left + 1;
            if (right < _capacity && StoredWorseThan(start + right, start + left))
            {
                worseChild = right;
            }

            if (!StoredWorseThanCandidate(start + worseChild, key))
            {
                break;
            }

            Move(start + worseChild, start + slot);
            slot = worseChild;
        }

        Store(start + slot, current, key, representativeness);
        Threshold[latent] = _keys[start];
    }

    /// <summary>The entries of latent <paramref name="latent"/>, best first (key descending, then the kept id order).</summary>
    public (string ClipId, float Key, float Representativeness)[] Sorted(int latent)
    {
        var start = latent * _capacity;
        var size = _sizes[latent];
        var entries = new (string ClipId, float Key, float Representativeness)[size];
        for (var i = 0; i < size; i++)
        {
            entries[i] = (_clips.IdOf(_handles[start + i]), _keys[start + i], _representativeness[start + i]);
        }

        var tieSign = _tieSign;
        Array.Sort(entries, (a, b) =>
        {
            var byKey = b.Key.CompareTo(a.Key);
            return byKey != 0 ? byKey : tieSign * string.CompareOrdinal(a.ClipId, b.ClipId);
        });
        return entries;
    }

    private bool CandidateWorseThan(float key, int slot)
    {
        var other = _keys[slot];
        return key < other || (key == other && _tieSign * _clips.CompareCurrentTo(_handles[slot]) > 0);
    }

    private bool StoredWorseThanCandidate(int slot, float key)
    {
        var own = _keys[slot];
        return own < key || (own == key && _tieSign * _clips.CompareCurrentTo(_handles[slot]) < 0);
    }

    private bool StoredWorseThan(int slot, int other)
    {
        var a = _keys[slot];
        var b = _keys[other];
        return a < b || (a == b && _tieSign * _clips.Compare(_handles[slot], _handles[other]) > 0);
    }

    private void Move(int from, int to)
    {
        _handles[to] = _handles[from];
        _keys[to] = _keys[from];
        _representativeness[to] = _representativeness[from];
    }

    private void Store(int slot, int handle, float key, float representativeness)
    {
        _handles[slot] = handle;
        _keys[slot] = key;
        _representativeness[slot] = representativeness;
    }
}
