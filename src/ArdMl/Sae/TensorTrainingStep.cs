using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// One Top-K SAE training step built from TorchSharp tensor operations only, so it runs wherever the SAE's tensors
/// live (CPU or CUDA). Same recipe and maths as <see cref="FusedTrainingStep"/>: FVU loss; AuxK over the dead latents
/// (top k_aux of their biased pre-activations, ReLU, decoded WITHOUT b_dec, fitted to the detached residual
/// e = x − x̂, normalised by the variance of e, weighted by the AuxK coefficient); manual gradients, with a sparse
/// decode and sparse weight gradients (each frame touches only its k decoder and encoder rows: gathers, batched
/// products and index_add, never a dense [B, m] × [m, d] product); removal of the gradient component parallel to each
/// decoder row; Adam with bias correction; decoder row renormalisation.
/// Temporary scalars are created explicitly so that none is finalised while libtorch still uses it.
/// </summary>
internal sealed unsafe class TensorTrainingStep : ISaeTrainingStep
{
    private readonly TopKSparseAutoencoder _sae;
    private readonly int _batch;
    private readonly int _k;
    private readonly int _auxK;
    private readonly float _auxCoefficient;
    private readonly AdamSettings _adam;
    private readonly Device _device;
    private readonly Tensor _hostInput;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly Tensor[] _parameters;
    private readonly bool _onModel;


    /// <summary>
    /// Creates the step for <paramref name="sae"/> (kept on the CPU). With <paramref name="device"/> null the SAE's own
    /// CPU parameters are trained in place; with a device (CUDA, or the CPU explicitly) the step trains copies on that
    /// device, written back by <see cref="StoreParametersToModel"/>.
    /// </summary>
    public TensorTrainingStep(TopKSparseAutoencoder sae, int batchSize, int auxK, float auxCoefficient, AdamSettings adam, Device? device = null)
    {
        _sae = sae;
        _batch = batchSize;
        _k = sae.K;
        _auxK = Math.Min(auxK, sae.LatentCount);
        _auxCoefficient = auxCoefficient;
        _adam = adam;
        _device = device ?? CPU;
        _onModel = device is null;
        Tensor[] model = [sae.EncoderWeight, sae.EncoderBias, sae.DecoderWeight, sae.DecoderBias];
        _parameters = _onModel ? model : model.Select(ToDevice).ToArray();
        _hostInput = zeros(batchSize, sae.InputDim, ScalarType.Float32);
        var parameters = Parameters;
        _firstMoments = parameters.Select(p => zeros_like(p)).ToArray();
        _secondMoments = parameters.Select(p => zeros_like(p)).ToArray();
        FiredCounts = new int[sae.LatentCount];
    }

    /// <summary>
    /// Floats gathered at once by the sparse decode and weight gradients, which run over chunks of frames of
    /// about this many k·d floats (default 2^25, 128 MiB).
    /// </summary>
    public long GatherBudgetFloats { get; init; } = 1L << 25;

    /// <summary>The [B, d] CPU staging batch the caller fills before <see cref="Run"/>; copied to the device there.</summary>
    public Tensor Input => _hostInput;

    /// <summary>After <see cref="Run"/>: how many frames of the batch each latent fired on (value &gt; 0).</summary>
    public int[] FiredCounts { get; }

    /// <summary>Adam first/second moments, in the order encoder.weight, encoder.bias, W_dec, b_dec (on the SAE's device).</summary>
    public IReadOnlyList<(Tensor First, Tensor Second)> Moments =>
        Enumerable.Range(0, _firstMoments.Length).Select(i => (_firstMoments[i], _secondMoments[i])).ToArray();

    /// <summary>The trained parameters on the step's device: encoder.weight, encoder.bias, W_dec, b_dec.</summary>
    internal Tensor[] Parameters => _parameters;

    /// <summary>The device the step computes on.</summary>
    internal Device Device => _device;

    /// <summary>Copies the trained parameters into the SAE (no-op when the step trains the SAE in place).</summary>
    public void StoreParametersToModel()
    {
        if (!_onModel)
        {
            using (no_grad())
            {
                _sae.EncoderWeight.copy_(_parameters[0]);
                _sae.EncoderBias.copy_(_parameters[1]);
                _sae.DecoderWeight.copy_(_parameters[2]);
                _sae.DecoderBias.copy_(_parameters[3]);
            }
        }
    }

    /// <summary>Copies the SAE's parameters into the step (no-op when the step trains the SAE in place).</summary>
    public void LoadParametersFromModel()
    {
        if (!_onModel)
        {
            using (no_grad())
            {
                _parameters[0].copy_(_sae.EncoderWeight);
                _parameters[1].copy_(_sae.EncoderBias);
                _parameters[2].copy_(_sae.DecoderWeight);
                _parameters[3].copy_(_sae.DecoderBias);
            }
        }
    }

    private Tensor ToDevice(Tensor parameter)
    {
        var copy = empty(parameter.shape, ScalarType.Float32, _device);
        using (no_grad())
        {
            copy.copy_(parameter);
        }

        return copy;
    }

    /// <summary>
    /// Runs one step on <see cref="Input"/>. <paramref name="deadLatents"/> lists the AuxK candidates;
    /// <paramref name="adamStep"/> is the 1-based Adam step used for bias correction.
    /// </summary>
    public StepFigures Run(long adamStep, float learningRate, ReadOnlySpan<int> deadLatents)
    {
        using var scope = NewDisposeScope();
        using var one = 1f.ToScalar();
        using var minusOne = (-1f).ToScalar();
        using var two = 2f.ToScalar();
        using var tiny = 1e-30.ToScalar();
        using var zero = 0f.ToScalar();
        var encW = _parameters[0];
        var encB = _parameters[1];
        var decW = _parameters[2];
        var decB = _parameters[3];
        int m = _sae.LatentCount;
        int d = _sae.InputDim;
        int k = _k;

        Tensor fvu;
        Tensor? auxFvu = null;
        Tensor fired;
        int auxK = 0;
        var gradients = new Tensor[4];
        using (no_grad())
        {
            var x = empty(_hostInput.shape, ScalarType.Float32, _device);
            x.copy_(_hostInput);
            var denominator = x.add(x.mean([0], keepdim: true), minusOne).square().sum().clamp_min(tiny);

            // Encoder on x − b_dec (the one dense GEMM), top-k of the biased pre-activations, ReLU.
            var centered = x.add(decB, minusOne);
            var pre = centered.mm(encW.t()).add_(encB, one);
            var (topValues, topIndices) = pre.topk(k, dim: 1);
            var z = topValues.relu();
            var active = z.gt(zero);
            fired = zeros(m, ScalarType.Int32, _device).scatter_add(0, topIndices.flatten(), active.to(ScalarType.Int32).flatten());

            // Sparse decode: each frame sums its k decoder rows (gathered a chunk of frames at a time; the gradient loop
            // below gathers them again rather than keep B·k·d floats alive).
            int chunk = (int)Math.Clamp(GatherBudgetFloats / ((long)k * d), 1, _batch);
            var decoded = empty(_batch, d, ScalarType.Float32, _device);
            for (int start = 0; start < _batch; start += chunk)
            {
                int count = Math.Min(chunk, _batch - start);
                var rows = decW.index_select(0, topIndices.narrow(0, start, count).flatten()).view(count, k, d);
                decoded.narrow(0, start, count).copy_(z.narrow(0, start, count).unsqueeze(1).bmm(rows).squeeze(1));
            }

            var residual = decoded.add_(decB, one).add_(x, minusOne);
            fvu = residual.square().sum().div(denominator);
            var outputGrad = residual.mul(two).div_(denominator);

            // Gradients of the selected values (zero where the ReLU clipped them) and the sparse weight gradients.
            var encoderWeightGrad = zeros_like(encW);
            var decoderWeightGrad = zeros_like(decW);
            var encoderBiasGrad = zeros_like(encB);
            for (int start = 0; start < _batch; start += chunk)
            {
                int count = Math.Min(chunk, _batch - start);
                var indices = topIndices.narrow(0, start, count).flatten();
                var rows = decW.index_select(0, indices).view(count, k, d);
                var g = outputGrad.narrow(0, start, count);
                var valueGrad = rows.bmm(g.unsqueeze(2)).squeeze(2).mul_(active.narrow(0, start, count));
                decoderWeightGrad.index_add_(0, indices, z.narrow(0, start, count).unsqueeze(2).mul(g.unsqueeze(1)).view(count * k, d), one);
                encoderWeightGrad.index_add_(0, indices, valueGrad.unsqueeze(2).mul(centered.narrow(0, start, count).unsqueeze(1)).view(count * k, d), one);
                encoderBiasGrad.index_add_(0, indices, valueGrad.flatten(), one);
            }

            // AuxK over the dead latents: dense GEMMs on the [B, dead] block of their top k_aux values.
            int deadCount = deadLatents.Length;
            if (_auxK > 0 && deadCount > 0)
            {
                auxK = Math.Min(_auxK, deadCount);
                var deadIndex = tensor(deadLatents.ToArray().Select(j => (long)j).ToArray(), ScalarType.Int64, _device);
                var (auxValues, auxIndices) = pre.index_select(1, deadIndex).topk(auxK, dim: 1);
                var auxZ = zeros(_batch, deadCount, ScalarType.Float32, _device).scatter_(1, auxIndices, auxValues.relu());
                var deadRows = decW.index_select(0, deadIndex);
                var target = residual.neg();
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

            // b_dec enters the decode directly and the encoder through x − b_dec.
            var decoderBiasGrad = outputGrad.sum([0]).add_(encoderBiasGrad.unsqueeze(0).mm(encW).squeeze(0), minusOne);
            gradients[0] = encoderWeightGrad;
            gradients[1] = encoderBiasGrad;
            gradients[2] = decoderWeightGrad;
            gradients[3] = decoderBiasGrad;
        }

        ApplyGradients(gradients, adamStep, learningRate);
        fired.cpu().data<int>().CopyTo(FiredCounts, 0);
        long entries = FiredCounts.Sum(c => (long)c);
        return new StepFigures(fvu.item<float>(), auxFvu is null ? 0 : auxFvu.item<float>(), (double)entries / _batch, auxK);
    }

    /// <summary>
    /// Applies <paramref name="gradients"/> (encoder.weight, encoder.bias, W_dec, b_dec, on the step's device): removes
    /// the decoder gradient parallel to its rows, takes an Adam step with bias correction, renormalises decoder rows.
    /// Its temporaries belong to the caller's dispose scope.
    /// </summary>
    internal void ApplyGradients(Tensor[] gradients, long adamStep, float learningRate)
    {
        using var minusOne = (-1f).ToScalar();
        using var tiny = 1e-30.ToScalar();
        var decW = _parameters[2];
        var parameters = Parameters;
        using (no_grad())
        {
            if (_sae.NormalizeDecoder)
            {
                // Remove the component of each decoder row's gradient parallel to the (unit) row.
                var parallel = gradients[2].mul(decW).sum([1], keepdim: true);
                gradients[2].add_(parallel.mul(decW), minusOne);
            }

            double bc1 = 1.0 - Math.Pow(_adam.Beta1, adamStep);
            double bc2 = 1.0 - Math.Pow(_adam.Beta2, adamStep);
            using var beta1 = _adam.Beta1.ToScalar();
            using var beta2 = _adam.Beta2.ToScalar();
            using var oneMinusBeta1 = (1f - _adam.Beta1).ToScalar();
            using var oneMinusBeta2 = (1f - _adam.Beta2).ToScalar();
            using var inverseSqrtBc2 = ((float)(1.0 / Math.Sqrt(bc2))).ToScalar();
            using var epsilon = _adam.Epsilon.ToScalar();
            using var negativeStep = ((float)(-learningRate / bc1)).ToScalar();
            for (int i = 0; i < parameters.Length; i++)
            {
                var g = gradients[i];
                _firstMoments[i].mul_(beta1).add_(g, oneMinusBeta1);
                _secondMoments[i].mul_(beta2).addcmul_(g, g, oneMinusBeta2);
                var denominator = _secondMoments[i].sqrt().mul_(inverseSqrtBc2).add_(epsilon);
                parameters[i].addcdiv_(_firstMoments[i], denominator, negativeStep);
            }

            if (_sae.NormalizeDecoder)
            {
                // Zero rows stay zero: they are divided by the clamped (tiny) norm.
                var norms = decW.square().sum([1], keepdim: true).sqrt().clamp_min(tiny);
                decW.div_(norms);
            }
        }
    }

    private static readonly string[] MomentNames = ["encoder.weight", "encoder.bias", "W_dec", "b_dec"];

    /// <inheritdoc/>
    public void AddOptimizerState(List<SafeTensorSource> sources, List<IDisposable> owned)
    {
        for (int i = 0; i < MomentNames.Length; i++)
        {
            sources.Add(HostSource($"adam.{MomentNames[i]}.m", _firstMoments[i], owned));
            sources.Add(HostSource($"adam.{MomentNames[i]}.v", _secondMoments[i], owned));
        }
    }

    /// <inheritdoc/>
    public void LoadOptimizerState(IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        using (no_grad())
        {
            for (int i = 0; i < MomentNames.Length; i++)
            {
                CopyFromHost(_firstMoments[i], tensors[$"adam.{MomentNames[i]}.m"].ToSingles());
                CopyFromHost(_secondMoments[i], tensors[$"adam.{MomentNames[i]}.v"].ToSingles());
            }
        }
    }

    /// <summary>A checkpoint source reading a CPU copy of <paramref name="value"/> (kept alive in <paramref name="owned"/>).</summary>
    internal static SafeTensorSource HostSource(string name, Tensor value, List<IDisposable> owned)
    {
        var host = empty(value.shape, ScalarType.Float32);
        owned.Add(host);
        using (no_grad())
        {
            host.copy_(value);
        }

        return SafeTensorSource.FromNative(name, FusedTrainingStep.Pointer(host), host.numel(), value.shape);
    }

    /// <summary>Copies host values into <paramref name="target"/> (on any device).</summary>
    internal static void CopyFromHost(Tensor target, float[] values)
    {
        using var source = tensor(values, target.shape);
        using (no_grad())
        {
            target.copy_(source);
        }
    }

    public void Dispose()
    {
        _hostInput.Dispose();
        if (!_onModel)
        {
            foreach (var t in _parameters)
            {
                t.Dispose();
            }
        }

        foreach (var t in _firstMoments.Concat(_secondMoments))
        {
            t.Dispose();
        }
    }
}
