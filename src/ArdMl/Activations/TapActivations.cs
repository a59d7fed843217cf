namespace ArdMl.Activations;

/// <summary>One tap's activations for one clip: <see cref="FrameCount"/> × <see cref="Width"/> values, row-major.</summary>
public sealed class TapActivations
{
    /// <summary>Creates the value; <paramref name="data"/> must hold frameCount × width values.</summary>
    public TapActivations(string tap, float[] data, int frameCount, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        if ((long)frameCount * width != data.Length)
        {
            throw new ArgumentException($"Tap '{tap}': {data.Length} values are not {frameCount} frames × {width}.", nameof(data));
        }

        Tap = tap;
        Data = data;
        FrameCount = frameCount;
        Width = width;
    }

    /// <summary>The tap name.</summary>
    public string Tap { get; }

    /// <summary>Row-major frames × width values.</summary>
    public float[] Data { get; }

    /// <summary>Number of frames (tokens).</summary>
    public int FrameCount { get; }

    /// <summary>Features per frame (d).</summary>
    public int Width { get; }

    /// <summary>The values of one frame.</summary>
    public ReadOnlySpan<float> Frame(int index) => Data.AsSpan(index * Width, Width);
}
