namespace ArdMl.Steering;

/// <summary>How a <see cref="ThresholdTarget"/> reduces a clip's output vector to one value.</summary>
public enum OutputReduction
{
    /// <summary>The mean of the vector (e.g. a clip's mean speech probability).</summary>
    Mean,

    /// <summary>The largest element.</summary>
    Max,

    /// <summary>The smallest element.</summary>
    Min,

    /// <summary>One element, <see cref="ThresholdTarget.ElementIndex"/>.</summary>
    Element,
}
