namespace ArdMl.Activations;

/// <summary>A tap produced NaN or infinity for a clip (raised under <see cref="NonFiniteActivationPolicy.Throw"/>).</summary>
public sealed class NonFiniteActivationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteActivationException(string tap, string clipId, int frame)
        : base($"Tap '{tap}' produced NaN or infinity for clip '{clipId}' (first at frame {frame}).")
    {
        Tap = tap;
        ClipId = clipId;
        Frame = frame;
    }

    /// <summary>The tap.</summary>
    public string Tap { get; }

    /// <summary>The clip.</summary>
    public string ClipId { get; }

    /// <summary>First frame with a non-finite value.</summary>
    public int Frame { get; }
}
