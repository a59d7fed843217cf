namespace ArdMl.Steering;

/// <summary>Progress of a sensitivity measurement.</summary>
/// <param name="Intervention">The intervention being measured.</param>
/// <param name="ClipsDone">Clips finished for it.</param>
/// <param name="ClipCount">Clips in all.</param>
public sealed record SteeringProgress(string Intervention, int ClipsDone, int ClipCount);
