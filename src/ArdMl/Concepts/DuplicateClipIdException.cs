namespace ArdMl.Concepts;

/// <summary>A clip id occurs twice in a corpus whose clips must be unique.</summary>
public sealed class DuplicateClipIdException : Exception
{
    /// <summary>Creates the exception for <paramref name="clipId"/> found again in <paramref name="source"/>.</summary>
    public DuplicateClipIdException(string clipId, string source)
        : base($"Duplicate clip id '{clipId}' in {source}: every clip of a corpus must have a unique id.")
    {
        ClipId = clipId;
        SourceDescription = source;
    }

    /// <summary>The repeated clip id.</summary>
    public string ClipId { get; }

    /// <summary>Where the duplicate was found (a file, a column, the ranker).</summary>
    public string SourceDescription { get; }
}
