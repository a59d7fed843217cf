namespace ArdMl.Concepts;

/// <summary>Names one concept from its H clips' captions or labels (describe step).</summary>
public interface IConceptNamer
{
    /// <summary>Returns the concept's name, where it came from, and the captions used.</summary>
    Task<ConceptNaming> NameAsync(ConceptNamingRequest request, CancellationToken cancellationToken = default);
}
