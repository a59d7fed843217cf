namespace ArdMl.Steering;

/// <summary>
/// Measures steering sensitivity (<see cref="SteeringSensitivity"/>) of interventions on one model against one target.
/// Unsteered outputs are computed once per clip id and reused across interventions.
/// </summary>
public sealed class SteeringSensitivityAnalysis
{
    /// <summary>The default number of raw-neuron candidates tried by <see cref="CompareWithBestNeuron"/>.</summary>
    public const int DefaultNeuronCandidates = 16;

    private readonly ISteeringModel _model;
    private readonly ISteeringTarget _target;
    private readonly Dictionary<string, float[]> _unsteered = new(StringComparer.Ordinal);

    /// <summary>Creates the analysis for <paramref name="model"/> and <paramref name="target"/>.</summary>
    public SteeringSensitivityAnalysis(ISteeringModel model, ISteeringTarget target)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        _model = model;
        _target = target;
    }

    /// <summary>Runs every clip unsteered (cached) and steered by <paramref name="intervention"/>.</summary>
    public SteeringSensitivity Measure(
        IReadOnlyList<SteeringClip> clips, IActivationIntervention intervention, IProgress<SteeringProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(intervention);
        if (intervention.Width != _model.TapWidth)
        {
            throw new ArgumentException(
                $"The intervention '{intervention.Description}' expects width {intervention.Width}; the model's tap has width {_model.TapWidth}.",
                nameof(intervention));
        }

        var meter = new EditNormMeter(intervention);
        var results = new List<ClipSteeringResult>(clips.Count);
        for (int i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            if (!_unsteered.TryGetValue(clip.Id, out var unsteered))
            {
                unsteered = _model.Run(clip.Samples, null);
                _unsteered[clip.Id] = unsteered;
            }

            var steered = _model.Run(clip.Samples, meter);
            results.Add(new ClipSteeringResult(
                clip.Id, _target.Score(unsteered), _target.Score(steered), _target.IsReached(unsteered), _target.IsReached(steered)));
            progress?.Report(new SteeringProgress(intervention.Description, i + 1, clips.Count));
        }

        return new SteeringSensitivity(intervention.Description, _target.Description, results, meter.MeanNorm);
    }

    /// <summary>
    /// Measures <paramref name="latent"/> and, at equal strength (<see cref="LatentIntervention.InActivationNorm"/>),
    /// raw neurons: the <paramref name="candidateCount"/> dimensions with the largest |w_j| in the latent's decoder
    /// direction w (all d when null), each edited with the sign of w_j so it pushes the same way. The best neuron has
    /// the most moved clips, then the largest mean score shift, then the lowest index.
    /// </summary>
    public NeuronComparison CompareWithBestNeuron(
        IReadOnlyList<SteeringClip> clips,
        LatentIntervention latent,
        int? candidateCount = DefaultNeuronCandidates,
        IProgress<SteeringProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(latent);
        if (candidateCount is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(candidateCount), candidateCount, "At least one neuron candidate is needed.");
        }

        var latentResult = Measure(clips, latent, progress);
        var edit = latent.InActivationNorm();
        var direction = latent.Direction;
        var order = Enumerable.Range(0, direction.Count)
            .OrderByDescending(j => Math.Abs(direction[j]))
            .ThenBy(j => j)
            .Take(candidateCount ?? direction.Count)
            .ToList();
        var candidates = new List<(int, SteeringSensitivity)>();
        foreach (var j in order)
        {
            var sign = direction[j] < 0 ? -1 : 1;
            var neuronEdit = edit.Mode == SteeringMode.Scale ? edit : edit with { Strength = edit.Strength * sign };
            candidates.Add((j, Measure(clips, new NeuronIntervention(direction.Count, j, neuronEdit), progress)));
        }

        var best = candidates
            .OrderByDescending(c => c.Item2.Moved)
            .ThenByDescending(c => double.IsNaN(c.Item2.MeanScoreShift) ? double.NegativeInfinity : c.Item2.MeanScoreShift)
            .ThenBy(c => c.Item1)
            .First();
        return new NeuronComparison(latentResult, best.Item2, best.Item1, candidates);
    }

    /// <summary>
    /// Sweeps <paramref name="strengths"/> (in <see cref="SteeringUnits.ActivationNorm"/> units, so that a latent and a
    /// neuron are edited by the same L2 norm in activation space): at each strength measures the latent, the
    /// label-chosen neuron <paramref name="labelNeuron"/> (edited upward, as the latent is) and, as an optimistic extra,
    /// the best of the <paramref name="candidateCount"/> neurons with the largest |w_j| in the latent's decoder direction
    /// on these same clips (see <see cref="CompareWithBestNeuron"/>).
    /// </summary>
    /// <param name="clips">The clips to measure on (choose the latent and the neuron on other clips).</param>
    /// <param name="autoencoder">The SAE.</param>
    /// <param name="latent">The latent to steer.</param>
    /// <param name="labelNeuron">The neuron chosen before the run by the same label rule (<see cref="LabelContrastNeuronSelector"/>), or null.</param>
    /// <param name="mode">Set, add or scale.</param>
    /// <param name="strengths">The strengths, at least one.</param>
    /// <param name="frames">Clip-level frames to edit (null: all).</param>
    /// <param name="candidateCount">Candidates for the optimistic neuron.</param>
    /// <param name="progress">Receives each clip measured.</param>
    public SteeringSweep SweepStrengths(
        IReadOnlyList<SteeringClip> clips,
        ISteerableAutoencoder autoencoder,
        int latent,
        int? labelNeuron,
        SteeringMode mode,
        IReadOnlyList<double> strengths,
        IReadOnlyList<int>? frames = null,
        int candidateCount = DefaultNeuronCandidates,
        IProgress<SteeringProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(strengths);
        if (strengths.Count == 0)
        {
            throw new ArgumentException("The sweep needs at least one strength.", nameof(strengths));
        }

        if (labelNeuron is int n && (n < 0 || n >= _model.TapWidth))
        {
            throw new ArgumentOutOfRangeException(nameof(labelNeuron), labelNeuron, $"The neuron must lie in [0, {_model.TapWidth}).");
        }

        var points = new List<SteeringSweepPoint>(strengths.Count);
        foreach (var strength in strengths)
        {
            var edit = new SteeringEdit(mode, strength, SteeringUnits.ActivationNorm, frames);
            var comparison = CompareWithBestNeuron(clips, new LatentIntervention(autoencoder, latent, edit), candidateCount, progress);
            var labelled = labelNeuron is int neuron ? Measure(clips, new NeuronIntervention(_model.TapWidth, neuron, edit), progress) : null;
            points.Add(new SteeringSweepPoint(strength, comparison.Latent, labelled, comparison.BestNeuron, comparison.BestNeuronIndex));
        }

        return new SteeringSweep(latent, labelNeuron, points);
    }
}
