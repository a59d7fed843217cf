namespace ArdMl.Concepts;

/// <summary>A clip and its captions or labels (possibly none).</summary>
/// <param name="ClipId">The clip's id.</param>
/// <param name="Texts">Its captions or labels.</param>
public sealed record ClipTexts(string ClipId, IReadOnlyList<string> Texts);
