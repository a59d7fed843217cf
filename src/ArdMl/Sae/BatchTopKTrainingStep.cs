using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// One training step of the BatchTopK family (<see cref="SaeVariant.BatchTopK"/>,
/// <see cref="SaeVariant.MatryoshkaBatchTopK"/>) from TorchSharp tensor operations, on the CPU or a CUDA device.
/// The code keeps the k·B largest pre-activations of the whole [B, m] batch (ReLU), so frames carry different numbers
/// of latents. The loss is the mean, over the nested prefixes p₁ &lt; … &lt; pₙ = m, of the FVU of the reconstruction
/// from latents [0, pᵢ) only (plain BatchTopK has the single prefix m). AuxK is as in <see cref="TensorTrainingStep"/>
/// (per-frame top k_aux of the dead latents, fitted to the detached residual of the full reconstruction). After each
/// step the SAE's <see cref="TopKSparseAutoencoder.Threshold"/> θ moves towards the smallest kept positive value:
/// θ ← (1 − rate)·θ + rate·min (θ = min after the first step). Manual gradients with dense [B, m] codes (the simplest
/// correct form: every product is a dense GEMM); the parameters, Adam state and update are those of a
/// <see cref="TensorTrainingStep"/>, so checkpoints have the same tensors.
/// </summary>
internal sealed class BatchTopKTrainingStep : ISaeTrainingStep
{
    private readonly TopKSparseAutoencoder _sae;
    private readonly TensorTrainingStep _state;
    private readonly int _batch;
    private readonly int _auxK;
    private readonly float _auxCoefficient;
    private readonly int[] _prefixSizes;
    private readonly float _thresholdRate;

    /// <summary>
    /// Creates the step for <paramref name="sae"/>; <paramref name="prefixSizes"/> ascend to m ([m] for plain BatchTopK).
    /// <paramref name="device"/> as in <see cref="TensorTrainingStep"/>.
    /// </summary>
    public BatchTopKTrainingStep(
        TopKSparseAutoencoder sae, int batchSize, IReadOnlyList<int> prefixSizes, float thresholdRate, int auxK, float auxCoefficient,
        AdamSettings adam, Device? device = null)
    {
        if (prefixSizes.Count == 0 || prefixSizes[^1] != sae.LatentCount)
        {
            throw new ArgumentException($"Prefix sizes must end at m = {sae.LatentCount}.", nameof(prefixSizes));
        }

        _sae = sae;
        _batch = batchSize;
        _auxK = Math.Min(auxK, sae.LatentCount);
        _auxCoefficient = auxCoefficient;
        _prefixSizes = prefixSizes.ToArray();
        _thresholdRate = thresholdRate;
        _state = new TensorTrainingStep(sae, batchSize, 0, 0f, adam, device);
    }

    /// <inheritdoc/>
    public Tensor Input => _state.Input;

    /// <inheritdoc/>
    public int[] FiredCounts => _state.FiredCounts;

    /// <inheritdoc/>
    public StepFigures Run(long adamStep, float learningRate, ReadOnlySpan<int> deadLatents)
    {
        using var scope = NewDisposeScope();
        using var one = 1f.ToScalar();
        using var minusOne = (-1f).ToScalar();
        using var tiny = 1e-30.ToScalar();
        using var zero = 0f.ToScalar();
        using var infinity = float.PositiveInfinity.ToScalar();
        var device = _state.Device;
        var parameters = _state.Parameters;
        var encW = parameters[0];
        var encB = parameters[1];
        var decW = parameters[2];
        var decB = parameters[3];
        int m = _sae.LatentCount;
        int d = _sae.InputDim;
        int prefixCount = _prefixSizes.Length;

        Tensor fvu;
        Tensor? auxFvu = null;
        Tensor fired;
        Tensor smallestKept;
        int auxK = 0;
        var gradients = new Tensor[4];
        using (no_grad())
        {
            var x = empty(Input.shape, ScalarType.Float32, device);
            x.copy_(Input);
            var denominator = x.add(x.mean([0], keepdim: true), minusOne).square().sum().clamp_min(tiny);
            var centered = x.add(decB, minusOne);
            var pre = centered.mm(encW.t()).add_(encB, one);

            // The k·B largest pre-activations of the batch, ReLU, as a dense [B, m] code.
            var (keptValues, keptIndices) = pre.reshape(-1).topk(checked(_sae.K * _batch), dim: 0, largest: true, sorted: false);
            var z = zeros(_batch * (long)m, ScalarType.Float32, device).scatter_(0, keptIndices, keptValues.relu()).view(_batch, m);
            var active = z.gt(zero);
            fired = active.sum([0], type: ScalarType.Int32);
            smallestKept = keptValues.masked_fill(keptValues.le(zero), infinity).min();

            // Nested reconstructions: prefix i adds the latents [p(i−1), p(i)) to prefix i−1's.
            var decoded = zeros(_batch, d, ScalarType.Float32, device).add_(decB, one);
            var residuals = new Tensor[prefixCount];
            var prefixFvus = new Tensor[prefixCount];
            for (int i = 0; i < prefixCount; i++)
            {
                int first = i == 0 ? 0 : _prefixSizes[i - 1];
                int count = _prefixSizes[i] - first;
                decoded.addmm_(z.narrow(1, first, count), decW.narrow(0, first, count), beta: 1f, alpha: 1f);
                residuals[i] = decoded.add(x, minusOne);
                prefixFvus[i] = residuals[i].square().sum().div(denominator);
            }

            fvu = prefixFvus[^1];

            // Loss = mean of the prefix FVUs: latents of segment s see the sum of the output gradients of prefixes s..n.
            using var outputScale = (2f / prefixCount).ToScalar();
            var encoderBiasGrad = zeros_like(encB);
            var decoderWeightGrad = zeros_like(decW);
            var valueGrad = zeros(_batch, m, ScalarType.Float32, device);
            var segmentGrad = zeros(_batch, d, ScalarType.Float32, device);
            for (int i = prefixCount - 1; i >= 0; i--)
            {
                segmentGrad.add_(residuals[i].mul(outputScale).div_(denominator), one);
                int first = i == 0 ? 0 : _prefixSizes[i - 1];
                int count = _prefixSizes[i] - first;
                decoderWeightGrad.narrow(0, first, count).copy_(z.narrow(1, first, count).t().mm(segmentGrad));
                valueGrad.narrow(1, first, count).copy_(segmentGrad.mm(decW.narrow(0, first, count).t()));
            }

            var outputGradSum = segmentGrad.sum([0]);
            valueGrad.mul_(active);
            var encoderWeightGrad = valueGrad.t().mm(centered);
            encoderBiasGrad.add_(valueGrad.sum([0]), one);

            // AuxK over the dead latents, fitted to the residual of the full reconstruction.
            int deadCount = deadLatents.Length;
            if (_auxK > 0 && deadCount > 0)
            {
                auxK = Math.Min(_auxK, deadCount);
                var deadIndex = tensor(deadLatents.ToArray().Select(j => (long)j).ToArray(), ScalarType.Int64, device);
                var (auxValues, auxIndices) = pre.index_select(1, deadIndex).topk(auxK, dim: 1);
                var auxZ = zeros(_batch, deadCount, ScalarType.Float32, device).scatter_(1, auxIndices, auxValues.relu());
                var deadRows = decW.index_select(0, deadIndex);
                var target = residuals[^1].neg();
                var auxDenominator = target.add(target.mean([0], keepdim: true), minusOne).square().sum().clamp_min(tiny);
                var difference = auxZ.mm(deadRows).add_(target, minusOne);
                auxFvu = difference.square().sum().div(auxDenominator);
                using var auxScale = (2f * _auxCoefficient).ToScalar();
                var auxGrad = difference.mul_(auxScale).div_(auxDenominator);
                var auxValueGrad = auxGrad.mm(deadRows.t()).mul_(auxZ.gt(zero));
                decoderWeightGrad.index_add_(0, deadIndex, auxZ.t().mm(auxGrad), one);
                encoderWeightGrad.index_add_(0, deadIndex, auxValueGrad.t().mm(centered), one);
                encoderBiasGrad.index_add_(0, deadIndex, auxValueGrad.sum([0]), one);
            }

            // b_dec enters every decode directly and the encoder through x − b_dec.
            gradients[0] = encoderWeightGrad;
            gradients[1] = encoderBiasGrad;
            gradients[2] = decoderWeightGrad;
            gradients[3] = outputGradSum.add_(encoderBiasGrad.unsqueeze(0).mm(encW).squeeze(0), minusOne);
        }

        _state.ApplyGradients(gradients, adamStep, learningRate);
        fired.cpu().data<int>().CopyTo(FiredCounts, 0);
        UpdateThreshold(smallestKept.item<float>(), adamStep);
        long entries = FiredCounts.Sum(c => (long)c);
        return new StepFigures(fvu.item<float>(), auxFvu is null ? 0 : auxFvu.item<float>(), (double)entries / _batch, auxK);
    }

    private void UpdateThreshold(float smallestKept, long adamStep)
    {
        if (!float.IsFinite(smallestKept))
        {
            // Nothing fired: θ stays (0 before any firing).
            _sae.Threshold ??= 0f;
            return;
        }

        _sae.Threshold = adamStep == 1 || _sae.Threshold is not float theta
            ? smallestKept
            : ((1f - _thresholdRate) * theta) + (_thresholdRate * smallestKept);
    }

    /// <inheritdoc/>
    public void AddOptimizerState(List<SafeTensorSource> sources, List<IDisposable> owned) => _state.AddOptimizerState(sources, owned);

    /// <inheritdoc/>
    public void LoadOptimizerState(IReadOnlyDictionary<string, SafeTensor> tensors) => _state.LoadOptimizerState(tensors);

    /// <inheritdoc/>
    public void StoreParametersToModel() => _state.StoreParametersToModel();

    /// <inheritdoc/>
    public void LoadParametersFromModel() => _state.LoadParametersFromModel();

    /// <inheritdoc/>
    public void Dispose() => _state.Dispose();
}
