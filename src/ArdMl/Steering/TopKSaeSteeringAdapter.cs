using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Steering;

/// <summary>
/// Lets a trained <see cref="TopKSparseAutoencoder"/> (branch sae) be steered: encoding goes through the fast
/// <see cref="SparseAutoencoderEncoder"/> (k codes per frame), decoding through the SAE's sparse decoder, which accepts
/// the extra slot steering adds. Not thread-safe (the encoder reuses buffers): one adapter per thread.
/// </summary>
public sealed class TopKSaeSteeringAdapter : ISteerableAutoencoder, IDisposable
{
    private readonly TopKSparseAutoencoder _sae;
    private readonly SparseAutoencoderEncoder _encoder;

    /// <summary>Wraps <paramref name="sae"/> (not owned: the caller disposes it after this adapter).</summary>
    /// <param name="sae">The trained SAE.</param>
    /// <param name="batchFrames">Frames per encoder matmul.</param>
    public TopKSaeSteeringAdapter(TopKSparseAutoencoder sae, int batchFrames = 256)
    {
        ArgumentNullException.ThrowIfNull(sae);
        _sae = sae;
        _encoder = new SparseAutoencoderEncoder(sae, batchFrames);
    }

    /// <inheritdoc />
    public int InputDim => _sae.InputDim;

    /// <inheritdoc />
    public int LatentCount => _sae.LatentCount;

    /// <inheritdoc />
    public LatentCodes Encode(ReadOnlySpan<float> frames)
    {
        var codes = _encoder.Encode(frames);
        return new LatentCodes(codes.FrameCount, codes.K, codes.Values, codes.Indices);
    }

    /// <inheritdoc />
    public float[] Decode(LatentCodes codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.FrameCount == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        using var values = tensor(codes.Values, [codes.FrameCount, codes.Width]);
        using var indices = tensor(codes.Indices, [codes.FrameCount, codes.Width]);
        using var decoded = _sae.Decode(values, indices);
        return decoded.contiguous().data<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _encoder.Dispose();
}
