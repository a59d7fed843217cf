namespace ArdMl.Concepts;

/// <summary>
/// A captions or labels CSV file (<c>clip,text</c>) is malformed; the message names the file, the line and what was
/// expected.
/// </summary>
public sealed class ClipTextFileException : FormatException
{
    /// <summary>Creates the exception for <paramref name="source"/> at <paramref name="line"/> (1-based).</summary>
    public ClipTextFileException(string source, long line, string problem)
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
