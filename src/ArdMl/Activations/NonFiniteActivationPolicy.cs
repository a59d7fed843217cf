namespace ArdMl.Activations;

/// <summary>What the extractor does when a tap yields NaN or infinity for a clip.</summary>
public enum NonFiniteActivationPolicy
{
    /// <summary>Throw <see cref="NonFiniteActivationException"/> naming the tap and clip (the default).</summary>
    Throw,

    /// <summary>Return the clip with <see cref="ClipExtractionStatus.NonFinite"/> and no frames, so a corpus run can report and skip it.</summary>
    SkipClip,
}
