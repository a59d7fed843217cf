namespace ArdMl.Evaluation;

/// <summary>A clip-label CSV file is malformed; the message names the file, the line and what was expected.</summary>
public sealed class LabelFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> at <paramref name="line"/> (1-based).</summary>
    public LabelFileException(string sourceName, int line, string problem)
        : base($"{sourceName}, line {line}: {problem}")
    {
        SourceName = sourceName;
        Line = line;
    }

    /// <summary>The file (or source name) that is malformed.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line where the problem was found.</summary>
    public int Line { get; }
}
