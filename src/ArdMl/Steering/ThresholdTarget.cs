using System.Globalization;

namespace ArdMl.Steering;

/// <summary>
/// Target "the reduced output is ≥ (or ≤) a threshold", e.g. a clip's mean speech probability ≥ 0.5.
/// <see cref="Score"/> is the reduced value (negated for a ≤ target).
/// </summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Reduction">How the output vector is reduced.</param>
/// <param name="Above">True for ≥ threshold, false for ≤ threshold.</param>
/// <param name="ElementIndex">The element for <see cref="OutputReduction.Element"/>.</param>
public sealed record ThresholdTarget(
    double Threshold, OutputReduction Reduction = OutputReduction.Mean, bool Above = true, int ElementIndex = 0) : ISteeringTarget
{
    /// <inheritdoc />
    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Reduction == OutputReduction.Element ? $"output[{ElementIndex}]" : Reduction.ToString().ToLowerInvariant())} {(Above ? "≥" : "≤")} {Threshold:G4}");

    /// <summary>The reduced value of <paramref name="output"/>.</summary>
    public double Reduce(float[] output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Length == 0)
        {
            throw new ArgumentException("The model's output vector is empty.", nameof(output));
        }

        return Reduction switch
        {
            OutputReduction.Mean => output.Average(v => (double)v),
            OutputReduction.Max => output.Max(),
            OutputReduction.Min => output.Min(),
            OutputReduction.Element => ElementIndex >= 0 && ElementIndex < output.Length
                ? output[ElementIndex]
                : throw new ArgumentOutOfRangeException(nameof(output), $"Element {ElementIndex} is outside the output vector of length {output.Length}."),
            _ => throw new ArgumentOutOfRangeException(nameof(output), Reduction, "Unknown reduction."),
        };
    }

    /// <inheritdoc />
    public bool IsReached(float[] output) => Above ? Reduce(output) >= Threshold : Reduce(output) <= Threshold;

    /// <inheritdoc />
    public double Score(float[] output) => Above ? Reduce(output) : -Reduce(output);
}
