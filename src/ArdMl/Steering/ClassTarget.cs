namespace ArdMl.Steering;

/// <summary>
/// Target "the output vector's arg-max is class <see cref="ClassIndex"/>" (ties go to the lowest index).
/// <see cref="Score"/> is the margin output[class] − max over the other classes.
/// </summary>
/// <param name="ClassIndex">The target class (an index into the output vector).</param>
public sealed record ClassTarget(int ClassIndex) : ISteeringTarget
{
    /// <inheritdoc />
    public string Description => $"class {ClassIndex}";

    /// <inheritdoc />
    public bool IsReached(float[] output)
    {
        Check(output);
        int best = 0;
        for (int i = 1; i < output.Length; i++)
        {
            if (output[i] > output[best])
            {
                best = i;
            }
        }

        return best == ClassIndex;
    }

    /// <inheritdoc />
    public double Score(float[] output)
    {
        Check(output);
        double other = double.NegativeInfinity;
        for (int i = 0; i < output.Length; i++)
        {
            if (i != ClassIndex)
            {
                other = Math.Max(other, output[i]);
            }
        }

        return output.Length == 1 ? output[0] : output[ClassIndex] - other;
    }

    private void Check(float[] output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ClassIndex < 0 || ClassIndex >= output.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(output), $"Class {ClassIndex} is outside the output vector of length {output.Length}.");
        }
    }
}
