namespace ArdMl.Steering;

/// <summary>
/// The minimal view of a sparse autoencoder that steering needs. Frames are row-major frames × <see cref="InputDim"/>.
/// <see cref="Decode"/> must accept codes of any slot width (steering adds one slot per frame) and be linear in the
/// values plus a constant bias, as a Top-K SAE's decoder is: x̂ = Σ value · W_dec[index] + b_dec.
/// </summary>
public interface ISteerableAutoencoder
{
    /// <summary>Activation width d.</summary>
    int InputDim { get; }

    /// <summary>Number of latents m.</summary>
    int LatentCount { get; }

    /// <summary>Encodes frames (row-major frames × d) into sparse codes.</summary>
    LatentCodes Encode(ReadOnlySpan<float> frames);

    /// <summary>Decodes codes into reconstructed frames (row-major frames × d).</summary>
    float[] Decode(LatentCodes codes);
}
