namespace ArdMl.Demo;

/// <summary>Settings of <see cref="DemoModelTrainer.Train"/>.</summary>
public sealed class DemoTrainingOptions
{
    /// <summary>Passes over the training clips.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Clips per step (clips of one batch share a length).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>
    /// Weight of the positive term of the binary cross-entropy (pos_weight, the same for every label): above 1 trades
    /// precision for recall, e.g. the second event of a mixture.
    /// </summary>
    public double PositiveWeight { get; init; } = 1.0;

    /// <summary>Seed of weight initialisation and batch order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Every n-th clip (by file-name order, starting with the first) is held out for validation.</summary>
    public int ValidationEvery { get; init; } = 5;

    /// <summary>
    /// TorchSharp CPU threads during training. Results are reproducible for a fixed thread count; the committed model
    /// was trained with 1.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>Model sizes.</summary>
    public DemoModelOptions Model { get; init; } = new();

    internal void Validate()
    {
        if (Epochs < 1 || BatchSize < 1 || LearningRate <= 0 || ValidationEvery < 2 || Threads < 1 || !(PositiveWeight > 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(DemoTrainingOptions),
                $"Training options out of range: Epochs {Epochs} (>= 1), BatchSize {BatchSize} (>= 1), LearningRate {LearningRate} (> 0), " +
                $"ValidationEvery {ValidationEvery} (>= 2), Threads {Threads} (>= 1), PositiveWeight {PositiveWeight} (> 0).");
        }

        Model.Validate();
    }
}

/// <summary>Progress of <see cref="DemoModelTrainer.Train"/>.</summary>
/// <param name="Epoch">Current epoch (1-based).</param>
/// <param name="Epochs">Number of epochs.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="TrainLoss">Mean training loss of the epoch so far.</param>
/// <param name="Validation">Validation figures, set once an epoch ends.</param>
public sealed record DemoTrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double TrainLoss, DemoEvaluation? Validation);

/// <summary>Classification figures of the demo model on a set of clips.</summary>
/// <param name="ClipCount">Number of clips.</param>
/// <param name="Loss">Mean binary cross-entropy per label.</param>
/// <param name="TopLabelAccuracy">Share of clips whose highest-scoring label is one of their labels.</param>
/// <param name="ExactSetAccuracy">Share of clips whose labels above probability 0.5 are exactly their labels.</param>
/// <param name="MicroF1">F1 over every (clip, label) decision at probability 0.5.</param>
public sealed record DemoEvaluation(int ClipCount, double Loss, double TopLabelAccuracy, double ExactSetAccuracy, double MicroF1);
