namespace ArdMl.Steering;

/// <summary>
/// Sparse latent codes of frames: <see cref="Width"/> (value, latent index) slots per frame, row-major
/// [frames, width] (the layout of <c>ArdMl.Sae.SparseCodes</c>, whose arrays can be passed as they are). A slot's
/// value may be zero; a latent index may appear at most once per frame.
/// </summary>
public sealed class LatentCodes
{
    /// <summary>Creates codes over the given arrays (not copied).</summary>
    public LatentCodes(int frameCount, int width, float[] values, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(indices);
        if (frameCount < 0 || width < 0 || values.Length != (long)frameCount * width || indices.Length != values.Length)
        {
            throw new ArgumentException(
                $"Latent codes of {frameCount} frames × {width} slots need {(long)frameCount * width} values and indices; got {values.Length} and {indices.Length}.");
        }

        FrameCount = frameCount;
        Width = width;
        Values = values;
        Indices = indices;
    }

    /// <summary>Number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Slots per frame (k for a Top-K SAE).</summary>
    public int Width { get; }

    /// <summary>Slot values, [frames, width].</summary>
    public float[] Values { get; }

    /// <summary>Slot latent indices, [frames, width].</summary>
    public int[] Indices { get; }
}
