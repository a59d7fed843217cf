using ArdMl.Audio;

namespace ArdMl.Activations;

/// <summary>
/// <see cref="FrontEndKind.WhisperLogMel"/>: 30 s windows of raw samples (windowFrames × 160), each turned into
/// Whisper's log-mel features (melBins × windowFrames) by <see cref="WhisperLogMel"/>.
/// </summary>
internal sealed class WhisperLogMelFrontEnd(FrontEndDescription front) : IExtractionFrontEnd
{
    private readonly WhisperLogMel _logMel = WhisperLogMel.Create(front.MelBins);

    /// <inheritdoc/>
    public int UnitsPerWindow { get; } = front.WindowFrames * WhisperLogMel.HopLength;

    /// <inheritdoc/>
    public int UnitWidth => 1;

    /// <inheritdoc/>
    public int SamplesPerUnit => 1;

    /// <inheritdoc/>
    public long FrameSpanSamples => UnitsPerWindow;

    /// <inheritdoc/>
    public PreparedClip Prepare(AudioClip clip, ExtractionSession session) =>
        new(clip, clip.Samples, clip.Samples.Length, WindowPlan.For(clip.Samples.Length, UnitsPerWindow, UnitsPerWindow, front.ShortClip, front.Tail));

    /// <summary>Computes the window's log-mel features (thread-safe: <see cref="WhisperLogMel.Compute(ReadOnlySpan{float}, Span{float}, int?)"/> keeps its work buffers per call).</summary>
    public void FillInput(PreparedClip clip, WindowPlan window, Span<float> destination)
    {
        var samples = new float[UnitsPerWindow];
        window.CopyUnits(clip.Units.Span, clip.AvailableUnits, UnitsPerWindow, 1, samples);
        _logMel.Compute(samples, destination, front.WindowFrames);
    }
}
