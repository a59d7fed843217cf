namespace ArdMl.Activations;

/// <summary>What happens to samples after the last complete window or chunk of a clip.</summary>
public enum ClipTailPolicy
{
    /// <summary>The partial tail is ignored (only complete windows give frames).</summary>
    Drop,

    /// <summary>
    /// The tail is zero-padded into one more window; frames of that window that lie in the padding are removed
    /// (the window keeps ceil(frames × valid share) frames).
    /// </summary>
    Pad,
}
