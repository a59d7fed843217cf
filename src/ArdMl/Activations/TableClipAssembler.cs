using System.Security.Cryptography;

namespace ArdMl.Activations;

/// <summary>
/// Rebuilds clips from the rows of one Arrow or Parquet activation file, driven by the file's clip index: each clip's
/// rows must be consecutive and carry its id, its values must match its SHA-256, and the rows must end with the index.
/// Record batches or row groups may split a clip.
/// </summary>
internal sealed class TableClipAssembler
{
    private readonly string _file;
    private readonly ActivationShardManifest _manifest;
    private readonly IReadOnlyList<ActivationTableClip> _clips;
    private readonly int _rowBytes;
    private int _next;
    private byte[]? _values;
    private int _filled;
    private long _row;

    public TableClipAssembler(string file, ActivationShardManifest manifest, IReadOnlyList<ActivationTableClip> clips)
    {
        _file = file;
        _manifest = manifest;
        _clips = clips;
        _rowBytes = manifest.Width * manifest.BytesPerValue;
    }

    /// <summary>Takes one batch of rows (values encoded at the manifest's dtype) and returns the clips it completes.</summary>
    /// <param name="rows">Rows in the batch.</param>
    /// <param name="values">rows × d values, little-endian at the manifest's dtype.</param>
    /// <param name="clipAt">The clip id of a row of the batch.</param>
    public List<ActivationShardClip> Feed(int rows, ReadOnlySpan<byte> values, Func<int, string?> clipAt)
    {
        var done = new List<ActivationShardClip>();
        TakeEmptyClips(done);
        var row = 0;
        while (row < rows)
        {
            if (_next >= _clips.Count)
            {
                throw new ActivationShardException(_file, $"has more rows than its clip index lists ({_clips.Sum(c => (long)c.Tokens)} frames).");
            }

            var clip = _clips[_next];
            var take = Math.Min(clip.Tokens - _filled, rows - row);
            if (_filled == 0)
            {
                CheckClipId(clip, clipAt(row));
                _values = new byte[(long)clip.Tokens * _rowBytes];
            }

            values.Slice(row * _rowBytes, take * _rowBytes).CopyTo(_values.AsSpan(_filled * _rowBytes));
            _filled += take;
            row += take;
            _row += take;
            if (_filled == clip.Tokens)
            {
                CheckClipId(clip, clipAt(row - 1));
                done.Add(Finish(clip, _values!));
                TakeEmptyClips(done);
            }
        }

        return done;
    }

    /// <summary>Returns the clips with no frames left at the end and checks that every listed clip was read.</summary>
    public List<ActivationShardClip> End()
    {
        var done = new List<ActivationShardClip>();
        TakeEmptyClips(done);
        if (_next < _clips.Count)
        {
            throw new ActivationShardException(_file, $"ends after {_row} rows, in or before clip '{_clips[_next].Clip}': the clip index lists {_clips.Sum(c => (long)c.Tokens)} frames; the file is truncated.");
        }

        return done;
    }

    private void TakeEmptyClips(List<ActivationShardClip> done)
    {
        while (_filled == 0 && _next < _clips.Count && _clips[_next].Tokens == 0)
        {
            done.Add(Finish(_clips[_next], []));
        }
    }

    private ActivationShardClip Finish(ActivationTableClip clip, byte[] bytes)
    {
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), clip.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ActivationShardException(_file, $"clip '{clip.Clip}' (ending at row {_row}) fails its SHA-256 check: the file is corrupt.");
        }

        _next++;
        _filled = 0;
        _values = null;
        return new ActivationShardClip(clip.Clip, ActivationShardReader.Decode(bytes, _manifest.DataType), clip.Tokens, _manifest.Width, clip.Metadata ?? []);
    }

    private void CheckClipId(ActivationTableClip clip, string? id)
    {
        if (!string.Equals(id, clip.Clip, StringComparison.Ordinal))
        {
            throw new ActivationShardException(_file, $"row {_row} belongs to clip '{id}' but the clip index expects '{clip.Clip}' there.");
        }
    }
}
