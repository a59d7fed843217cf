namespace ArdMl.Steering;

/// <summary>A <see cref="TapAxisSpec"/> resolved for one tap shape: converts the tensor to frames × d and back.</summary>
public sealed class TapFrameLayout
{
    private readonly int[] _tensorIndex;

    internal TapFrameLayout(TapAxisSpec spec, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(shape);
        int rank = shape.Count;
        var frameAxes = Normalize(spec.FrameAxes, rank, spec, shape);
        var featureAxes = Normalize(spec.FeatureAxes, rank, spec, shape);
        var used = frameAxes.Concat(featureAxes).ToList();
        if (used.Distinct().Count() != used.Count)
        {
            throw new ArgumentException($"Tap axis spec '{spec}' uses an axis twice.");
        }

        for (int axis = 0; axis < rank; axis++)
        {
            if (!used.Contains(axis) && shape[axis] != 1)
            {
                throw new ArgumentException(
                    $"Tap axis spec '{spec}' leaves axis {axis} of shape [{string.Join(", ", shape)}] unused, but its size is {shape[axis]}, not 1.");
            }
        }

        var strides = new long[rank];
        long stride = 1;
        for (int axis = rank - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= shape[axis];
        }

        FrameCount = checked((int)frameAxes.Aggregate(1L, (p, a) => p * shape[a]));
        Width = checked((int)featureAxes.Aggregate(1L, (p, a) => p * shape[a]));
        Shape = [.. shape];
        _tensorIndex = new int[checked(FrameCount * Width)];
        var frameOffsets = Offsets(frameAxes, shape, strides);
        var featureOffsets = Offsets(featureAxes, shape, strides);
        for (int f = 0; f < FrameCount; f++)
        {
            for (int j = 0; j < Width; j++)
            {
                _tensorIndex[(f * Width) + j] = checked((int)(frameOffsets[f] + featureOffsets[j]));
            }
        }
    }

    /// <summary>The tap tensor's shape.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Feature width d.</summary>
    public int Width { get; }

    /// <summary>Gathers the tensor (row-major) into frames × d (row-major).</summary>
    public float[] ToFrames(ReadOnlySpan<float> tensor)
    {
        CheckLength(tensor.Length);
        var frames = new float[_tensorIndex.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = tensor[_tensorIndex[i]];
        }

        return frames;
    }

    /// <summary>Scatters frames × d back into a tensor of <see cref="Shape"/>.</summary>
    public float[] ToTensor(ReadOnlySpan<float> frames)
    {
        CheckLength(frames.Length);
        var tensor = new float[_tensorIndex.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            tensor[_tensorIndex[i]] = frames[i];
        }

        return tensor;
    }

    private void CheckLength(int length)
    {
        if (length != _tensorIndex.Length)
        {
            throw new ArgumentException(
                $"Expected {_tensorIndex.Length} values for tap shape [{string.Join(", ", Shape)}]; got {length}.");
        }
    }

    private static List<int> Normalize(IReadOnlyList<int> axes, int rank, TapAxisSpec spec, IReadOnlyList<long> shape)
    {
        var result = new List<int>();
        foreach (var axis in axes)
        {
            int a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank)
            {
                throw new ArgumentException(
                    $"Tap axis spec '{spec}' names axis {axis}, but the tap has shape [{string.Join(", ", shape)}] (rank {rank}).");
            }

            result.Add(a);
        }

        return result;
    }

    private static long[] Offsets(List<int> axes, IReadOnlyList<long> shape, long[] strides)
    {
        long count = axes.Aggregate(1L, (p, a) => p * shape[a]);
        var offsets = new long[count];
        for (long i = 0; i < count; i++)
        {
            long rest = i, offset = 0;
            for (int k = axes.Count - 1; k >= 0; k--)
            {
                offset += rest % shape[axes[k]] * strides[axes[k]];
                rest /= shape[axes[k]];
            }

            offsets[i] = offset;
        }

        return offsets;
    }
}
