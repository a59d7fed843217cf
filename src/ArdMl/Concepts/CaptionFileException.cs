namespace ArdMl.Concepts;

/// <summary>A captions/labels CSV file is malformed; the message names the file, the line and what was expected.</summary>
public sealed class CaptionFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> at <paramref name="line"/>.</summary>
    public CaptionFileException(string source, long line, string problem)
        : base($"{source}, line {line}: {problem}")
    {
        SourceName = source;
        Line = line;
    }

    /// <summary>The file (or stream description) being read.</summary>
    public string SourceName { get; }

    /// <summary>1-based line where the problem starts.</summary>
    public long Line { get; }
}
