namespace ArdMl.MlNet;

/// <summary>
/// A saved model file cannot be used: it is missing, not a zip, not an ML.NET model, holds no ArdMl stage, was
/// written by a newer ArdMl, or does not fit the data it is applied to. The message names the file and what was
/// expected.
/// </summary>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message is "Model 'path': problem".</summary>
    public ModelFileException(string path, string problem, Exception? innerException = null)
        : base($"Model '{path}': {problem}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The model file.</summary>
    public string FilePath { get; }
}
