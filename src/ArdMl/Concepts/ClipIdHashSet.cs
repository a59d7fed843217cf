namespace ArdMl.Concepts;

/// <summary>
/// A compact set of 128-bit clip-id hashes (open addressing, linear probing, load ≤ 1/2): 16–32 bytes per clip, the
/// only part of <see cref="ConceptRanker"/> that grows with the number of clips (and only while duplicate ids are
/// rejected). A false duplicate needs two different ids with equal 128-bit hashes: about n²/2¹²⁹.
/// </summary>
internal sealed class ClipIdHashSet
{
    private UInt128[] _slots = new UInt128[1024];
    private int _count;

    /// <summary>Bytes held.</summary>
    public long Bytes => _slots.Length * 16L;

    /// <summary>Adds the hash of <paramref name="clipId"/>; false when it was present.</summary>
    public bool Add(string clipId)
    {
        var hash = ClipIdHash.Hash128(clipId);
        if (hash == UInt128.Zero)
        {
            hash = UInt128.One;
        }

        if ((_count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        if (!Insert(_slots, hash))
        {
            return false;
        }

        _count++;
        return true;
    }

    private static bool Insert(UInt128[] slots, UInt128 hash)
    {
        var mask = slots.Length - 1;
        var index = (int)((ulong)hash & (ulong)mask);
        while (true)
        {
            var slot = slots[index];
            if (slot == UInt128.Zero)
            {
                slots[index] = hash;
                return true;
            }

            if (slot == hash)
            {
                return false;
            }

            index = (index + 1) & mask;
        }
    }

    private void Grow()
    {
        var larger = new UInt128[_slots.Length * 2];
        foreach (var hash in _slots)
        {
            if (hash != UInt128.Zero)
            {
                Insert(larger, hash);
            }
        }

        _slots = larger;
    }
}
