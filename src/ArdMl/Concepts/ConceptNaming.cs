namespace ArdMl.Concepts;

/// <summary>A namer's answer for one concept.</summary>
public sealed class ConceptNaming
{
    /// <summary>Creates a naming.</summary>
    public ConceptNaming(string name, NamingSource source, IReadOnlyList<string> captionsUsed, string? failure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Source = source;
        CaptionsUsed = captionsUsed ?? [];
        Failure = failure;
    }

    /// <summary>The concept's name.</summary>
    public string Name { get; }

    /// <summary>Where the name came from.</summary>
    public NamingSource Source { get; }

    /// <summary>The captions or labels the name was made from.</summary>
    public IReadOnlyList<string> CaptionsUsed { get; }

    /// <summary>Why a better name could not be made (for example the language model's failures), or null.</summary>
    public string? Failure { get; }

    /// <summary>The honest name of an unnamed latent: "latent N".</summary>
    public static string UnnamedLatent(int latent) => $"latent {latent}";
}
