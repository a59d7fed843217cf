namespace ArdMl.Activations;

/// <summary>Copies one batch entry of a tap tensor into frames × d rows, following a <see cref="TapLayout"/>.</summary>
internal sealed class TapOutputDecoder
{
    private readonly long[] _shape;
    private readonly int[] _offsets;
    private readonly bool _contiguous;
    private readonly long _batchStride;
    private readonly long _timeStride;

    public TapOutputDecoder(string tap, long[] shape, TapLayout layout)
    {
        Tap = tap;
        _shape = shape;
        var rank = shape.Length;
        if (layout.BatchAxis < 0 || layout.BatchAxis >= rank || (layout.TimeAxis is { } t && (t < 0 || t >= rank || t == layout.BatchAxis)))
        {
            throw new InvalidOperationException(
                $"Tap '{tap}' has shape [{string.Join(", ", shape)}]; its layout ({layout}) names an axis it does not have. Add a tapLayouts rule to the description.");
        }

        var strides = new long[rank];
        long stride = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= shape[axis];
        }

        _batchStride = strides[layout.BatchAxis];
        _timeStride = layout.TimeAxis is { } time ? strides[time] : 0;
        FramesPerEntry = layout.TimeAxis is { } ta ? (int)shape[ta] : 1;
        var other = Enumerable.Range(0, rank).Where(a => a != layout.BatchAxis && a != layout.TimeAxis).ToArray();
        Width = (int)other.Aggregate(1L, (acc, a) => acc * shape[a]);
        _offsets = new int[Width];
        var index = new long[other.Length];
        for (var j = 0; j < Width; j++)
        {
            long offset = 0;
            for (var k = 0; k < other.Length; k++)
            {
                offset += index[k] * strides[other[k]];
            }

            _offsets[j] = (int)offset;
            for (var k = other.Length - 1; k >= 0; k--)
            {
                if (++index[k] < shape[other[k]])
                {
                    break;
                }

                index[k] = 0;
            }
        }

        _contiguous = _offsets.Select((o, j) => o == j).All(x => x);
        BatchAxisLength = shape[layout.BatchAxis];
    }

    public string Tap { get; }

    public int FramesPerEntry { get; }

    public int Width { get; }

    public long BatchAxisLength { get; }

    public bool Matches(ReadOnlySpan<long> shape) => shape.SequenceEqual(_shape);

    /// <summary>Writes frames [firstFrame, firstFrame + count) of batch entry <paramref name="entry"/> to destination.</summary>
    public void Copy(ReadOnlySpan<float> tensor, int entry, int firstFrame, int count, Span<float> destination)
    {
        for (var f = 0; f < count; f++)
        {
            var start = (entry * _batchStride) + ((firstFrame + f) * _timeStride);
            var row = destination.Slice(f * Width, Width);
            if (_contiguous)
            {
                tensor.Slice((int)start, Width).CopyTo(row);
            }
            else
            {
                var source = tensor[(int)start..];
                for (var j = 0; j < row.Length; j++)
                {
                    row[j] = source[_offsets[j]];
                }
            }
        }
    }
}
