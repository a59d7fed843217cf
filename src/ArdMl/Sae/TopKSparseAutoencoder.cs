using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// A Top-K sparse autoencoder: <c>pre = W_enc (x − b_dec) + b_enc</c>, keep the k largest pre-activations per row
/// (ReLU), <c>x̂ = Σ z_j · W_dec[j] + b_dec</c>. Parameter names and shapes follow EleutherAI sparsify:
/// <c>encoder.weight</c> [m, d], <c>encoder.bias</c> [m], <c>W_dec</c> [m, d], <c>b_dec</c> [d].
/// SAEs of the BatchTopK family (<see cref="Variant"/>) encode with a threshold instead: see <see cref="Threshold"/>.
/// </summary>
public sealed class TopKSparseAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Linear _encoder;
    private readonly Parameter _decoderWeight;
    private readonly Parameter _decoderBias;
    private float? _threshold;

    /// <summary>Creates an SAE with zero weights (call <see cref="InitializeTied"/> or load weights before use).</summary>
    /// <param name="inputDim">Width d of the activations.</param>
    /// <param name="latentCount">Number of latents m.</param>
    /// <param name="k">Active latents per frame (0 &lt; k &lt; m).</param>
    /// <param name="normalizeDecoder">Whether decoder rows are kept at unit norm during training.</param>
    public TopKSparseAutoencoder(int inputDim, int latentCount, int k, bool normalizeDecoder = true)
        : base(nameof(TopKSparseAutoencoder))
    {
        ValidateShape(inputDim, latentCount, k);
        InputDim = inputDim;
        LatentCount = latentCount;
        K = k;
        NormalizeDecoder = normalizeDecoder;
        _encoder = nn.Linear(inputDim, latentCount, hasBias: true, dtype: ScalarType.Float32);
        _decoderWeight = new Parameter(zeros(latentCount, inputDim, ScalarType.Float32));
        _decoderBias = new Parameter(zeros(inputDim, ScalarType.Float32));
        using (no_grad())
        {
            _encoder.weight!.zero_();
            _encoder.bias!.zero_();
        }

        register_module("encoder", _encoder);
        register_parameter("W_dec", _decoderWeight);
        register_parameter("b_dec", _decoderBias);
    }

    /// <summary>Input width d.</summary>
    public int InputDim { get; }

    /// <summary>Number of latents m.</summary>
    public int LatentCount { get; }

    /// <summary>Active latents per frame.</summary>
    public int K { get; }

    /// <summary>Whether decoder rows are kept at unit norm.</summary>
    public bool NormalizeDecoder { get; }

    /// <summary>How the SAE was trained (<see cref="SaeVariant.TopK"/> unless set when it is created).</summary>
    public SaeVariant Variant { get; init; }

    /// <summary>Nested prefix sizes of a <see cref="SaeVariant.MatryoshkaBatchTopK"/> SAE (ascending, last = m); empty otherwise.</summary>
    public IReadOnlyList<int> PrefixSizes { get; init; } = [];

    /// <summary>
    /// Encoding threshold θ of the BatchTopK family: when set, a frame keeps every latent with pre-activation above θ
    /// (JumpReLU), at most <see cref="CodeWidth"/> of them (its largest); null = the top k per frame (Top-K). The
    /// trainer sets it for BatchTopK variants.
    /// </summary>
    public float? Threshold
    {
        get => _threshold;
        set => _threshold = value is float t && !float.IsFinite(t)
            ? throw new ArgumentOutOfRangeException(nameof(value), t, "The encoding threshold must be finite.")
            : value;
    }

    /// <summary>
    /// Code slots per frame in encodings: k for Top-K; min(m, 4k) with a <see cref="Threshold"/>, where slots of latents
    /// at or below θ hold zero.
    /// </summary>
    public int CodeWidth => _threshold is null ? K : Math.Min(LatentCount, 4 * K);

    /// <summary>Encoder weight W_enc, shape [m, d] (sparsify's <c>encoder.weight</c>).</summary>
    public Parameter EncoderWeight => _encoder.weight!;

    /// <summary>Encoder bias b_enc, shape [m].</summary>
    public Parameter EncoderBias => _encoder.bias!;

    /// <summary>Decoder weight W_dec, shape [m, d] (one row per latent).</summary>
    public Parameter DecoderWeight => _decoderWeight;

    /// <summary>Decoder bias b_dec, shape [d].</summary>
    public Parameter DecoderBias => _decoderBias;

    /// <summary>
    /// Tied initialisation: random unit-norm decoder rows (seeded, platform-independent), encoder = decoder
    /// transpose, zero biases.
    /// </summary>
    public unsafe void InitializeTied(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        using (no_grad())
        {
            // Written straight into the decoder's memory (no managed copy of an m × d matrix).
            float* rows = FusedTrainingStep.Pointer(_decoderWeight);
            for (int j = 0; j < LatentCount; j++)
            {
                float* row = rows + ((long)j * InputDim);
                double norm = 0;
                for (int i = 0; i < InputDim; i++)
                {
                    float v = (float)random.NextGaussian();
                    row[i] = v;
                    norm += (double)v * v;
                }

                float scale = norm > 0 ? (float)(1.0 / Math.Sqrt(norm)) : 0f;
                for (int i = 0; i < InputDim; i++)
                {
                    row[i] *= scale;
                }
            }

            _encoder.weight!.copy_(_decoderWeight);
            _encoder.bias!.zero_();
            _decoderBias.zero_();
        }
    }

    /// <summary>
    /// Encodes rows of <paramref name="input"/> [n, d] into (values, indices), both [n, <see cref="CodeWidth"/>]: the
    /// largest pre-activations in descending order, after ReLU (Top-K) or zeroed at or below <see cref="Threshold"/>.
    /// </summary>
    public (Tensor Values, Tensor Indices) Encode(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pre = PreActivations(input);
        var (values, indices) = pre.topk(CodeWidth, dim: 1, largest: true, sorted: true);
        var kept = ApplyThreshold(values);
        return (kept.MoveToOuterDisposeScope(), indices.MoveToOuterDisposeScope());
    }

    /// <summary>ReLU (Top-K) or JumpReLU at <see cref="Threshold"/> of selected pre-activations.</summary>
    private Tensor ApplyThreshold(Tensor selected)
    {
        if (_threshold is not float theta)
        {
            return selected.relu();
        }

        using var thetaScalar = Math.Max(theta, 0f).ToScalar();
        return selected.mul(selected.gt(thetaScalar));
    }

    /// <summary>Pre-activations <c>W_enc (x − b_dec) + b_enc</c>, shape [n, m].</summary>
    public Tensor PreActivations(Tensor input)
    {
        CheckInput(input);
        return torch.nn.functional.linear(input - _decoderBias, _encoder.weight!, _encoder.bias);
    }

    /// <summary>
    /// Sparse decode: <c>x̂[i] = Σ_j values[i,j] · W_dec[indices[i,j]] + b_dec</c> with values/indices [n, k].
    /// </summary>
    public Tensor Decode(Tensor values, Tensor indices)
    {
        if (values.ndim != 2 || indices.ndim != 2 || values.shape[0] != indices.shape[0] || values.shape[1] != indices.shape[1])
        {
            throw new ArgumentException(
                $"Decode expects values and indices of the same shape [n, k]; got [{string.Join(", ", values.shape)}] and [{string.Join(", ", indices.shape)}].");
        }

        using var scope = NewDisposeScope();
        long n = values.shape[0];
        long k = values.shape[1];
        var rows = _decoderWeight.index_select(0, indices.reshape(-1).to(ScalarType.Int64)).reshape(n, k, InputDim);
        // An explicit Scalar held to the end of the call: add(Tensor) passes a temporary alpha that the GC may
        // finalise while libtorch still reads it.
        using var one = 1f.ToScalar();
        var decoded = values.unsqueeze(1).bmm(rows).squeeze(1).add(_decoderBias, one);
        return decoded.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Differentiable reconstruction (autograd path, any device): top-k of the pre-activations, ReLU, decode.
    /// Training on the CPU uses the fused kernels of the trainer instead.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        var pre = PreActivations(input);
        var (values, indices) = pre.topk(CodeWidth, dim: 1, largest: true, sorted: false);
        var dense = zeros_like(pre).scatter(1, indices, ApplyThreshold(values));
        using var one = 1f.ToScalar();
        return dense.mm(_decoderWeight).add(_decoderBias, one).MoveToOuterDisposeScope();
    }

    /// <summary>Copies all four weights (and the threshold) from another SAE of the same shape.</summary>
    public void CopyWeightsFrom(TopKSparseAutoencoder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.InputDim != InputDim || other.LatentCount != LatentCount)
        {
            throw new ArgumentException(
                $"Cannot copy weights of an SAE with d={other.InputDim}, m={other.LatentCount} into one with d={InputDim}, m={LatentCount}.");
        }

        using (no_grad())
        {
            EncoderWeight.copy_(other.EncoderWeight);
            EncoderBias.copy_(other.EncoderBias);
            DecoderWeight.copy_(other.DecoderWeight);
            DecoderBias.copy_(other.DecoderBias);
        }

        Threshold = other.Threshold;
    }

    internal static void ValidateShape(int inputDim, int latentCount, int k)
    {
        if (inputDim <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "The input width d must be positive.");
        }

        if (latentCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latentCount), latentCount, "The latent count m must be positive.");
        }

        if (k <= 0 || k >= latentCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(k), k, $"k (active latents per frame) must satisfy 0 < k < m = {latentCount}.");
        }
    }

    private void CheckInput(Tensor input)
    {
        if (input.ndim != 2 || input.shape[1] != InputDim)
        {
            throw new ArgumentException(
                $"SAE input must have shape [n, {InputDim}]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }
    }
}
