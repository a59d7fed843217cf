namespace ArdMl.Concepts;

/// <summary>
/// The clip ids currently held by some bounded heap of <see cref="ConceptRanker"/>, as small integer handles with
/// reference counts, so memory stays O(m·p) whatever the number of clips. Comparisons of the clip being added
/// against held clips are cached per clip (ties are common under the coverage criterion).
/// </summary>
internal sealed class ClipHandleTable
{
    private string?[] _ids = new string?[64];
    private int[] _references = new int[64];
    private int[] _compareEpoch = new int[64];
    private sbyte[] _compareResult = new sbyte[64];
    private int[] _free = new int[64];
    private int _freeCount;
    private int _allocated;
    private int _epoch;
    private int _currentHandle = -1;
    private string _currentId = string.Empty;

    /// <summary>Number of handles ever allocated (the high-water mark of distinct held clips).</summary>
    public int Capacity => _allocated;

    /// <summary>Number of distinct clips currently held by some heap.</summary>
    public int LiveCount => _allocated - _freeCount - (_currentHandle >= 0 && _references[_currentHandle] == 0 ? 1 : 0);

    /// <summary>Bytes held by the table's arrays (not counting the id strings).</summary>
    public long ArrayBytes => (long)_ids.Length * (8 + 4 + 4 + 1 + 4);

    /// <summary>Starts a new clip: comparisons and the lazily allocated handle refer to it until the next call.</summary>
    public void BeginClip(string clipId)
    {
        _epoch++;
        _currentId = clipId;
        _currentHandle = -1;
    }

    /// <summary>Ends the current clip, freeing its handle when no heap kept it.</summary>
    public void EndClip()
    {
        if (_currentHandle >= 0 && _references[_currentHandle] == 0)
        {
            Free(_currentHandle);
        }

        _currentHandle = -1;
    }

    /// <summary>The current clip's handle, allocated on first use.</summary>
    public int CurrentHandle()
    {
        if (_currentHandle >= 0)
        {
            return _currentHandle;
        }

        int handle;
        if (_freeCount > 0)
        {
            handle = _free[--_freeCount];
        }
        else
        {
            if (_allocated == _ids.Length)
            {
                Grow();
            }

            handle = _allocated++;
        }

        _ids[handle] = _currentId;
        _references[handle] = 0;
        _compareEpoch[handle] = 0;
        _currentHandle = handle;
        return handle;
    }

    public void AddReference(int handle) => _references[handle]++;

    public void Release(int handle)
    {
        if (--_references[handle] == 0 && handle != _currentHandle)
        {
            Free(handle);
        }
    }

    public string IdOf(int handle) => _ids[handle]!;

    /// <summary>Ordinal comparison of the current clip's id with a held clip's id (sign only).</summary>
    public int CompareCurrentTo(int handle)
    {
        if (handle == _currentHandle)
        {
            return 0;
        }

        if (_compareEpoch[handle] == _epoch)
        {
            return _compareResult[handle];
        }

        var result = (sbyte)Math.Sign(string.CompareOrdinal(_currentId, _ids[handle]));
        _compareEpoch[handle] = _epoch;
        _compareResult[handle] = result;
        return result;
    }

    /// <summary>Ordinal comparison of two held clips' ids (sign only).</summary>
    public int Compare(int left, int right) =>
        left == right ? 0 : Math.Sign(string.CompareOrdinal(_ids[left], _ids[right]));

    private void Free(int handle)
    {
        _ids[handle] = null;
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = handle;
    }

    private void Grow()
    {
        var size = _ids.Length * 2;
        Array.Resize(ref _ids, size);
        Array.Resize(ref _references, size);
        Array.Resize(ref _compareEpoch, size);
        Array.Resize(ref _compareResult, size);
    }
}
