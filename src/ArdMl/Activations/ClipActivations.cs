namespace ArdMl.Activations;

/// <summary>Activations of every requested tap for one clip, with the outcome and what was dropped.</summary>
public sealed class ClipActivations
{
    internal ClipActivations(string clipId, ClipExtractionStatus status, IReadOnlyList<TapActivations> taps, int maskedFrames, string? message)
    {
        ClipId = clipId;
        Status = status;
        Taps = taps;
        MaskedFrames = maskedFrames;
        Message = message;
    }

    /// <summary>The clip id.</summary>
    public string ClipId { get; }

    /// <summary>Outcome.</summary>
    public ClipExtractionStatus Status { get; }

    /// <summary>Per-tap activations, in the extractor's tap order (zero frames unless <see cref="Status"/> is Ok).</summary>
    public IReadOnlyList<TapActivations> Taps { get; }

    /// <summary>Frames of the first tap removed as silence (see <see cref="ActivationExtractorOptions.SilenceThresholdDb"/>).</summary>
    public int MaskedFrames { get; }

    /// <summary>Why the clip is empty or skipped; null when Ok.</summary>
    public string? Message { get; }

    /// <summary>The activations of a tap by name.</summary>
    public TapActivations this[string tap] =>
        Taps.FirstOrDefault(t => t.Tap == tap) ?? throw new KeyNotFoundException($"Tap '{tap}' was not extracted; taps: {string.Join(", ", Taps.Select(t => t.Tap))}.");
}
