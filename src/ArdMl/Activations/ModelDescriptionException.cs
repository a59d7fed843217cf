namespace ArdMl.Activations;

/// <summary>A model description file is malformed or inconsistent; the message names the file and the field.</summary>
public sealed class ModelDescriptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelDescriptionException(string source, string problem, Exception? inner = null)
        : base($"Model description '{source}': {problem}", inner)
    {
        SourceName = source;
    }

    /// <summary>The description file (or the name given to in-memory JSON).</summary>
    public string SourceName { get; }
}
