namespace ArdMl.Steering;

/// <summary>The outcome steering should reach on a clip's output vector.</summary>
public interface ISteeringTarget
{
    /// <summary>A description ("mean ≥ 0.5", "class 3").</summary>
    string Description { get; }

    /// <summary>Whether the output reaches the target.</summary>
    bool IsReached(float[] output);

    /// <summary>Progress toward the target: higher is closer (used to report how far steering moved a clip).</summary>
    double Score(float[] output);
}
