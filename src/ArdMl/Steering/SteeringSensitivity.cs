namespace ArdMl.Steering;

/// <summary>
/// Steering sensitivity of one intervention over a set of clips: the share of the clips that do not reach the target
/// unsteered (the eligible, source-class clips) whose steered output reaches it. Also reports the mean change of the
/// target's score over all clips, which shows how far steering moved outputs even where it did not cross the target,
/// and that shift per unit of the edit's L2 norm in activation space (<see cref="ShiftPerEditNorm"/>), which compares
/// interventions of different directions and modes on one scale.
/// </summary>
public sealed class SteeringSensitivity
{
    internal SteeringSensitivity(string intervention, string target, IReadOnlyList<ClipSteeringResult> clips, double meanEditNorm = double.NaN)
    {
        MeanEditNorm = meanEditNorm;
        Intervention = intervention;
        Target = target;
        Clips = clips;
    }

    /// <summary>The intervention's description.</summary>
    public string Intervention { get; }

    /// <summary>The target's description.</summary>
    public string Target { get; }

    /// <summary>Per-clip outcomes, in input order.</summary>
    public IReadOnlyList<ClipSteeringResult> Clips { get; }

    /// <summary>Clips measured.</summary>
    public int ClipCount => Clips.Count;

    /// <summary>Clips already at the target without steering (left out of the share).</summary>
    public int AlreadyAtTarget => Clips.Count(c => c.UnsteeredReached);

    /// <summary>Clips not at the target without steering.</summary>
    public int Eligible => ClipCount - AlreadyAtTarget;

    /// <summary>Eligible clips whose steered output reaches the target.</summary>
    public int Moved => Clips.Count(c => !c.UnsteeredReached && c.SteeredReached);

    /// <summary><see cref="Moved"/> / <see cref="Eligible"/> (NaN when no clip is eligible).</summary>
    public double Share => Eligible == 0 ? double.NaN : (double)Moved / Eligible;

    /// <summary>Mean of steered − unsteered score over all clips (NaN without clips).</summary>
    public double MeanScoreShift => Clips.Count == 0 ? double.NaN : Clips.Average(c => c.SteeredScore - c.UnsteeredScore);

    /// <summary>
    /// Mean L2 norm, in activation space, of the change the intervention made to each frame it changed (NaN when not
    /// measured). For "add s" in <see cref="SteeringUnits.ActivationNorm"/> units it is s for a latent and a neuron alike.
    /// </summary>
    public double MeanEditNorm { get; }

    /// <summary>
    /// <see cref="MeanScoreShift"/> / <see cref="MeanEditNorm"/>: the target score's mean change per unit of edit norm
    /// (NaN when the norm is 0 or not measured).
    /// </summary>
    public double ShiftPerEditNorm => MeanEditNorm > 0 ? MeanScoreShift / MeanEditNorm : double.NaN;
}
