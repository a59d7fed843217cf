namespace ArdMl.Steering;

/// <summary>
/// One strength of a <see cref="SteeringSweep"/>: the latent, the label-chosen neuron (chosen before the run) and the
/// optimistic neuron (the best of the candidates on the very clips measured, chosen after the fact), all edited with
/// the same strength in <see cref="SteeringUnits.ActivationNorm"/> units.
/// </summary>
/// <param name="Strength">The edit's strength (L2 norm in activation space for set and add; the factor for scale).</param>
/// <param name="Latent">The latent's sensitivity.</param>
/// <param name="LabelNeuron">The label-chosen neuron's sensitivity (null when no label rule chose one).</param>
/// <param name="OptimisticNeuron">The best candidate neuron's sensitivity at this strength.</param>
/// <param name="OptimisticNeuronIndex">That neuron's dimension.</param>
public sealed record SteeringSweepPoint(
    double Strength, SteeringSensitivity Latent, SteeringSensitivity? LabelNeuron, SteeringSensitivity OptimisticNeuron, int OptimisticNeuronIndex)
{
    /// <summary>
    /// The latent's <see cref="SteeringSensitivity.ShiftPerEditNorm"/> over the label-chosen neuron's (NaN without one,
    /// or where the neuron's shift is not positive).
    /// </summary>
    public double LatentOverLabelNeuron =>
        LabelNeuron is { ShiftPerEditNorm: > 0 } neuron ? Latent.ShiftPerEditNorm / neuron.ShiftPerEditNorm : double.NaN;
}

/// <summary>A strength sweep of one latent against its raw-neuron baselines (see <see cref="SteeringSweepPoint"/>).</summary>
/// <param name="LatentIndex">The steered latent.</param>
/// <param name="LabelNeuronIndex">The label-chosen neuron, or null.</param>
/// <param name="Points">One point per strength, in the order given.</param>
public sealed record SteeringSweep(int LatentIndex, int? LabelNeuronIndex, IReadOnlyList<SteeringSweepPoint> Points)
{
    /// <summary>The first point (in strength order) where the latent moves at least <paramref name="share"/> of the eligible clips, or null.</summary>
    public SteeringSweepPoint? FirstWhereLatentMoves(double share = 0.5) =>
        Points.OrderBy(p => Math.Abs(p.Strength)).FirstOrDefault(p => p.Latent.Share >= share);
}
