namespace ArdMl.Steering;

/// <summary>Unsteered and steered outputs of one clip, side by side.</summary>
/// <param name="Unsteered">The model's output without intervention.</param>
/// <param name="Steered">The output with the intervention applied at the tap.</param>
public sealed record SteeringComparison(float[] Unsteered, float[] Steered)
{
    /// <summary>Runs <paramref name="samples"/> through <paramref name="model"/> twice: as is and steered.</summary>
    public static SteeringComparison Run(ISteeringModel model, ReadOnlySpan<float> samples, IActivationIntervention intervention)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(intervention);
        return new SteeringComparison(model.Run(samples, null), model.Run(samples, intervention));
    }
}
