using ArdMl.Sae;

namespace ArdMl.MlNet;

/// <summary>Sparse-autoencoder entries of the ArdMl catalog.</summary>
public sealed partial class ArdTransformsCatalog
{
    /// <summary>
    /// Trains a Top-K sparse autoencoder on <paramref name="inputColumnName"/> (frames × d per row) and maps each row
    /// to "MeanActivation" and "Coverage" (Single vectors of size <paramref name="latentCount"/>).
    /// </summary>
    /// <param name="latentCount">Number of latents m.</param>
    /// <param name="k">Active latents per frame.</param>
    /// <param name="steps">Training steps.</param>
    /// <param name="batchSize">Frames per step.</param>
    /// <param name="inputColumnName">The activations column. Default "Activations".</param>
    public SparseAutoencoderEstimator TrainSparseAutoencoder(
        int latentCount, int k, int steps = 1000, int batchSize = 4096, string inputColumnName = "Activations") =>
        new(Environment, new TrainSparseAutoencoderOptions
        {
            InputColumnName = inputColumnName,
            Trainer = new SparseAutoencoderTrainerOptions { LatentCount = latentCount, K = k, Steps = steps, BatchSize = batchSize },
        });

    /// <summary>Trains a Top-K sparse autoencoder with all options (recipe, checkpoints, outputs, column names).</summary>
    /// <param name="options">The options.</param>
    public SparseAutoencoderEstimator TrainSparseAutoencoder(TrainSparseAutoencoderOptions options) => new(Environment, options);
}
