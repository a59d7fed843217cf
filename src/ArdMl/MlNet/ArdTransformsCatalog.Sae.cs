using System.Text.Json;
using ArdMl.Concepts;
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

    /// <summary>
    /// The TrainSparseAutoencoder stage of an SAE trained elsewhere: a folder written by <c>ard train</c> (sparsify's
    /// layout for Top-K, SAELens's for the BatchTopK family) with its metrics.json, if any, as
    /// <see cref="SparseAutoencoderTransformer.Metrics"/>. The transformer reads "Activations" and writes
    /// "MeanActivation" and "Coverage", as a fitted <see cref="TrainSparseAutoencoder(TrainSparseAutoencoderOptions)"/> does.
    /// </summary>
    /// <param name="directory">The SAE folder.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">metrics.json is not valid JSON.</exception>
    public SparseAutoencoderTransformer LoadSparseAutoencoder(string directory) => LoadSparseAutoencoder(directory, ClipMeanMode.AllFrames);

    /// <summary>
    /// <see cref="LoadSparseAutoencoder(string)"/> with the clips' μ averaged as <paramref name="meanMode"/> says (over all
    /// frames, or over the frames where each latent fires).
    /// </summary>
    /// <param name="directory">The SAE folder.</param>
    /// <param name="meanMode">What "MeanActivation" averages over.</param>
    public SparseAutoencoderTransformer LoadSparseAutoencoder(string directory, ClipMeanMode meanMode)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"SAE folder '{directory}' does not exist; expected the --out folder of 'ard train'.");
        }

        var autoencoder = SaeLensFormat.IsSaeLensDirectory(directory) ? SaeLensFormat.Load(directory) : SparsifyFormat.Load(directory);
        var metricsPath = Path.Combine(directory, SparseAutoencoderTransformer.MetricsFileName);
        SaeTrainingMetrics metrics = new();
        if (File.Exists(metricsPath))
        {
            try
            {
                metrics = JsonSerializer.Deserialize<SaeTrainingMetrics>(File.ReadAllText(metricsPath)) ?? new();
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"SAE metrics '{metricsPath}' are not valid JSON: {e.Message}", e);
            }
        }

        return new SparseAutoencoderTransformer(Environment, new TrainSparseAutoencoderOptions { MeanMode = meanMode }, autoencoder, metrics);
    }
}
