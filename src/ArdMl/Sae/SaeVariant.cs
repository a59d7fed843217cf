namespace ArdMl.Sae;

/// <summary>
/// Sparsity rule of a sparse autoencoder. The BatchTopK family resists feature splitting better than per-frame Top-K
/// (Bussmann et al. 2024, 2025): it lets the number of active latents vary between frames during training and
/// encodes with a learnt threshold θ afterwards.
/// </summary>
public enum SaeVariant
{
    /// <summary>Keep the k largest pre-activations of each frame (ReLU). Saved in sparsify's layout.</summary>
    TopK,

    /// <summary>
    /// Train by keeping the k·B largest pre-activations over a batch of B frames (ReLU); track θ, a running mean of the
    /// smallest kept value per batch; encode with <c>z = pre · [pre &gt; θ]</c> (JumpReLU). Saved in SAELens's layout.
    /// </summary>
    BatchTopK,

    /// <summary>
    /// BatchTopK whose loss is the mean, over nested prefixes of the dictionary (latents 0..p−1 for each prefix size p),
    /// of the FVU of the reconstruction from the prefix's latents only, so early latents learn general features and
    /// later ones refine them. Saved in SAELens's layout.
    /// </summary>
    MatryoshkaBatchTopK,
}
