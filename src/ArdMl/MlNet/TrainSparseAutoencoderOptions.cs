using ArdMl.Concepts;
using ArdMl.Sae;

namespace ArdMl.MlNet;

/// <summary>Options of <see cref="SparseAutoencoderEstimator"/> (columns, outputs and the training recipe).</summary>
public sealed class TrainSparseAutoencoderOptions
{
    /// <summary>Input column: a Single vector of type VectorDataViewType(Single, 0, d) (frames × d, row-major).</summary>
    public string InputColumnName { get; set; } = "Activations";

    /// <summary>Output column of per-latent mean activations (Single vector of size m).</summary>
    public string MeanActivationColumnName { get; set; } = "MeanActivation";

    /// <summary>Output column of per-latent coverage (Single vector of size m).</summary>
    public string CoverageColumnName { get; set; } = "Coverage";

    /// <summary>Also output the per-frame sparse codes (frames × k values and indices).</summary>
    public bool OutputCodes { get; set; }

    /// <summary>Output column of per-frame code values (Single, variable length frames × k).</summary>
    public string LatentValuesColumnName { get; set; } = "LatentValues";

    /// <summary>Output column of per-frame code indices (Int32, variable length frames × k).</summary>
    public string LatentIndicesColumnName { get; set; } = "LatentIndices";

    /// <summary>How MeanActivation averages (all frames, zeros included, by default).</summary>
    public ClipMeanMode MeanMode { get; set; } = ClipMeanMode.AllFrames;

    /// <summary>The training recipe (latents, k, variant, steps, batch, AuxK, checkpoints, device...).</summary>
    public SparseAutoencoderTrainerOptions Trainer { get; set; } = new();

    /// <summary>Optional progress receiver (progress also goes to ML.NET's log as Info messages).</summary>
    public IProgress<SaeTrainingProgress>? Progress { get; set; }

    /// <summary>A copy of these options with <see cref="MeanMode"/> set to <paramref name="meanMode"/> (the trainer options are shared).</summary>
    internal TrainSparseAutoencoderOptions WithMeanMode(ClipMeanMode meanMode)
    {
        var copy = (TrainSparseAutoencoderOptions)MemberwiseClone();
        copy.MeanMode = meanMode;
        return copy;
    }

    internal TrainSparseAutoencoderOptions Validated()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(InputColumnName), InputColumnName), (nameof(MeanActivationColumnName), MeanActivationColumnName),
            (nameof(CoverageColumnName), CoverageColumnName), (nameof(LatentValuesColumnName), LatentValuesColumnName),
            (nameof(LatentIndicesColumnName), LatentIndicesColumnName),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"TrainSparseAutoencoder option {name} must name a column.", name);
            }
        }

        ArgumentNullException.ThrowIfNull(Trainer, nameof(Trainer));
        return this;
    }
}
