using System.Numerics.Tensors;

namespace ArdMl.Activations;

/// <summary>
/// <see cref="FrontEndKind.Windows"/>: fixed windows of raw samples (every hopSamples), scaled by inputScale.
/// </summary>
internal sealed class WaveformWindowsFrontEnd(FrontEndDescription front) : IExtractionFrontEnd
{
    private readonly int _hop = front.HopSamples ?? front.WindowSamples;

    /// <inheritdoc/>
    public int UnitsPerWindow { get; } = front.WindowSamples;

    /// <inheritdoc/>
    public int UnitWidth => 1;

    /// <inheritdoc/>
    public int SamplesPerUnit => 1;

    /// <inheritdoc/>
    public long FrameSpanSamples => UnitsPerWindow;

    /// <inheritdoc/>
    public PreparedClip Prepare(AudioClip clip, ExtractionSession session) =>
        new(clip, clip.Samples, clip.Samples.Length, WindowPlan.For(clip.Samples.Length, UnitsPerWindow, _hop, front.ShortClip, front.Tail));

    /// <inheritdoc/>
    public void FillInput(PreparedClip clip, WindowPlan window, Span<float> destination)
    {
        var values = destination[..UnitsPerWindow];
        window.CopyUnits(clip.Units.Span, clip.AvailableUnits, UnitsPerWindow, 1, values);
        if (front.InputScale != 1f)
        {
            TensorPrimitives.Multiply(values, front.InputScale, values);
        }
    }
}
