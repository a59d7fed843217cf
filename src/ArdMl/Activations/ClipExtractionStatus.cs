namespace ArdMl.Activations;

/// <summary>Outcome of extracting one clip.</summary>
public enum ClipExtractionStatus
{
    /// <summary>Frames were extracted.</summary>
    Ok,

    /// <summary>The clip was shorter than one window (or fully masked as silence): zero frames.</summary>
    Empty,

    /// <summary>A tap produced NaN or infinity and the policy was <see cref="NonFiniteActivationPolicy.SkipClip"/>: zero frames.</summary>
    NonFinite,
}
