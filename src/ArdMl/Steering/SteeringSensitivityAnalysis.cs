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

        var results = new List<ClipSteeringResult>(clips.Count);
        for (int i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            if (!_unsteered.TryGetValue(clip.Id, out var unsteered))
            {
                unsteered = _model.Run(clip.Samples, null);
                _unsteered[clip.Id] = unsteered;
            }

            var steered = _model.Run(clip.Samples, intervention);
            results.Add(new ClipSteeringResult(
                clip.Id, _target.Score(unsteered), _target.Score(steered), _target.IsReached(unsteered), _target.IsReached(steered)));
            progress?.Report(new SteeringProgress(intervention.Description, i + 1, clips.Count));
        }

        return new SteeringSensitivity(intervention.Description, _target.Description, results);
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
}
