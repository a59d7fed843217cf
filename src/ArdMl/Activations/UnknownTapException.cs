namespace ArdMl.Activations;

/// <summary>A requested tap names no value of the model graph; the message lists the nearest existing names.</summary>
public sealed class UnknownTapException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnknownTapException(string tap, string model, IReadOnlyList<string> nearest)
        : base($"Tap '{tap}' is not a value of model '{model}'. " +
               (nearest.Count > 0 ? $"Nearest names: {string.Join(", ", nearest.Select(n => $"'{n}'"))}." : "The graph has no named values.") +
               " List every tap with `ard extract --list-taps`.")
    {
        Tap = tap;
        Nearest = nearest;
    }

    /// <summary>The name that was asked for.</summary>
    public string Tap { get; }

    /// <summary>The closest existing names, best first.</summary>
    public IReadOnlyList<string> Nearest { get; }
}
