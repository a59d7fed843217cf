namespace ArdMl.Steering;

/// <summary>A clip to steer: an id and its mono samples at the model's rate.</summary>
/// <param name="Id">The clip id (for reports).</param>
/// <param name="Samples">The samples.</param>
public sealed record SteeringClip(string Id, float[] Samples);
