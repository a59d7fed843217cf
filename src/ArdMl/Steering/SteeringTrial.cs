namespace ArdMl.Steering;

/// <summary>One candidate's response on a <see cref="SteeringTrial"/>'s clips.</summary>
/// <param name="Unit">The latent or tap dimension tried.</param>
/// <param name="RuleRank">Its place (0-based) in the label rule's ranking, which breaks ties.</param>
/// <param name="PerStrength">Its sensitivity at each strength of the trial, in the order given.</param>
public sealed record SteeringTrialResult(int Unit, int RuleRank, IReadOnlyList<SteeringSensitivity> PerStrength)
{
    /// <summary>
    /// The mean over the trial's strengths of <see cref="SteeringSensitivity.ShiftPerEditNorm"/>: how far the edit moves
    /// the target score per unit of edit norm (strengths where it is NaN count as 0).
    /// </summary>
    public double MeanShiftPerEditNorm =>
        PerStrength.Count == 0 ? 0 : PerStrength.Average(s => double.IsNaN(s.ShiftPerEditNorm) ? 0 : s.ShiftPerEditNorm);
}

/// <summary>
/// Chooses the unit to steer by how it steers, on clips the measurement does not see: each candidate (the label rule's
/// first few latents, or its first few raw neurons) is edited upward at every strength of the sweep, by the same L2
/// norm in activation space, on trial clips (for example the selection clips without the label), and the candidates
/// are ranked by <see cref="SteeringTrialResult.MeanShiftPerEditNorm"/>, largest first; ties keep the rule's order.
/// Applying the same trial to latents and to neurons keeps the two baselines chosen by one rule, before the run.
/// </summary>
public static class SteeringTrial
{
    /// <summary>Tries <paramref name="candidates"/> latents of <paramref name="autoencoder"/> and ranks them.</summary>
    /// <param name="analysis">The analysis over the model and target (its cache of unsteered outputs is keyed by clip id:
    /// use one that has not seen other clips with the same ids).</param>
    /// <param name="clips">The trial clips.</param>
    /// <param name="autoencoder">The SAE.</param>
    /// <param name="candidates">Latents in the label rule's order.</param>
    /// <param name="mode">Set, add or scale.</param>
    /// <param name="strengths">The strengths, in <see cref="SteeringUnits.ActivationNorm"/> units; at least one.</param>
    /// <param name="frames">Clip-level frames to edit (null: all).</param>
    /// <param name="progress">Receives each clip measured.</param>
    public static IReadOnlyList<SteeringTrialResult> RankLatents(
        SteeringSensitivityAnalysis analysis,
        IReadOnlyList<SteeringClip> clips,
        ISteerableAutoencoder autoencoder,
        IReadOnlyList<int> candidates,
        SteeringMode mode,
        IReadOnlyList<double> strengths,
        IReadOnlyList<int>? frames = null,
        IProgress<SteeringProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        return Rank(analysis, clips, candidates, strengths, progress, (unit, strength) =>
            new LatentIntervention(autoencoder, unit, new SteeringEdit(mode, strength, SteeringUnits.ActivationNorm, frames)));
    }

    /// <summary>Tries <paramref name="candidates"/> raw neurons (tap dimensions of width <paramref name="width"/>) and ranks them.</summary>
    /// <param name="analysis">The analysis over the model and target (see <see cref="RankLatents"/>).</param>
    /// <param name="clips">The trial clips.</param>
    /// <param name="width">The tap width d.</param>
    /// <param name="candidates">Tap dimensions in the label rule's order.</param>
    /// <param name="mode">Set, add or scale.</param>
    /// <param name="strengths">The strengths, in <see cref="SteeringUnits.ActivationNorm"/> units; at least one.</param>
    /// <param name="frames">Clip-level frames to edit (null: all).</param>
    /// <param name="progress">Receives each clip measured.</param>
    public static IReadOnlyList<SteeringTrialResult> RankNeurons(
        SteeringSensitivityAnalysis analysis,
        IReadOnlyList<SteeringClip> clips,
        int width,
        IReadOnlyList<int> candidates,
        SteeringMode mode,
        IReadOnlyList<double> strengths,
        IReadOnlyList<int>? frames = null,
        IProgress<SteeringProgress>? progress = null) =>
        Rank(analysis, clips, candidates, strengths, progress, (unit, strength) =>
            new NeuronIntervention(width, unit, new SteeringEdit(mode, strength, SteeringUnits.ActivationNorm, frames)));

    private static IReadOnlyList<SteeringTrialResult> Rank(
        SteeringSensitivityAnalysis analysis,
        IReadOnlyList<SteeringClip> clips,
        IReadOnlyList<int> candidates,
        IReadOnlyList<double> strengths,
        IProgress<SteeringProgress>? progress,
        Func<int, double, IActivationIntervention> intervention)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(strengths);
        if (candidates.Count == 0 || strengths.Count == 0 || clips.Count == 0)
        {
            throw new ArgumentException(
                $"A steering trial needs at least one candidate, strength and clip (got {candidates.Count}, {strengths.Count} and {clips.Count}).");
        }

        var results = new List<SteeringTrialResult>(candidates.Count);
        for (int rank = 0; rank < candidates.Count; rank++)
        {
            var unit = candidates[rank];
            results.Add(new SteeringTrialResult(unit, rank, [.. strengths.Select(s => analysis.Measure(clips, intervention(unit, s), progress))]));
        }

        return [.. results.OrderByDescending(r => r.MeanShiftPerEditNorm).ThenBy(r => r.RuleRank)];
    }
}
