namespace ArdMl.Activations;

/// <summary>What happens to a clip shorter than one window or chunk.</summary>
public enum ShortClipPolicy
{
    /// <summary>The clip gives zero frames and is reported as empty (the default).</summary>
    Empty,

    /// <summary>The clip is zero-padded to one window; padding frames are removed from the output.</summary>
    Pad,

    /// <summary>The clip is repeated until it fills one window (the DNSMOS reference does this); all frames are kept.</summary>
    Loop,
}
