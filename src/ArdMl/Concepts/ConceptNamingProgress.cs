namespace ArdMl.Concepts;

/// <summary>Progress of naming the selected concepts.</summary>
/// <param name="Named">Concepts named so far.</param>
/// <param name="Total">Concepts to name.</param>
/// <param name="LastName">The name just given.</param>
public readonly record struct ConceptNamingProgress(int Named, int Total, string LastName);
