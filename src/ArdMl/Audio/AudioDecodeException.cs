namespace ArdMl.Audio;

/// <summary>
/// Raised when an audio file or buffer cannot be decoded: it is missing, empty, truncated, corrupt or in an encoding
/// this library does not read. The message names the source and the problem.
/// </summary>
public sealed class AudioDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> with a description of the problem.</summary>
    /// <param name="sourceName">The file path or caller-supplied name of the encoded audio.</param>
    /// <param name="problem">What is wrong, e.g. "truncated FLAC frame at byte 1234".</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public AudioDecodeException(string sourceName, string problem, Exception? innerException = null)
        : base($"Cannot decode audio '{sourceName}': {problem}", innerException)
    {
        SourceName = sourceName;
        Problem = problem;
    }

    /// <summary>The file path or caller-supplied name of the audio that failed to decode.</summary>
    public string SourceName { get; }

    /// <summary>The problem alone, without the source name.</summary>
    public string Problem { get; }
}
