namespace ArdMl.Steering;

/// <summary>One clip's outcome under one intervention.</summary>
/// <param name="ClipId">The clip.</param>
/// <param name="UnsteeredScore">The target's score of the unsteered output.</param>
/// <param name="SteeredScore">The target's score of the steered output.</param>
/// <param name="UnsteeredReached">Whether the unsteered output already reaches the target.</param>
/// <param name="SteeredReached">Whether the steered output reaches it.</param>
public sealed record ClipSteeringResult(
    string ClipId, double UnsteeredScore, double SteeredScore, bool UnsteeredReached, bool SteeredReached);
