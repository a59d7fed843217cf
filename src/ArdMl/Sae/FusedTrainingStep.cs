using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>Adam hyper-parameters.</summary>
internal readonly record struct AdamSettings(float Beta1, float Beta2, float Epsilon);

/// <summary>Figures of one training step.</summary>
internal readonly record struct StepFigures(double Fvu, double AuxFvu, double L0, int AuxLatents);

/// <summary>
/// One Top-K SAE training step on the CPU with manual gradients: the dense encoder matmul runs in libtorch, everything
/// else (top-k, sparse decode, FVU and AuxK gradients, the sparse encoder/decoder weight gradients, removal of the
/// gradient parallel to decoder rows, Adam, decoder renormalisation) runs in fused kernels that touch only the k
/// selected latents per frame. No dense [B, m] tensor exists besides the pre-activations, and no dense weight
/// gradient is ever materialised: gradients are accumulated per latent and consumed by Adam in the same pass.
/// </summary>
internal sealed unsafe class FusedTrainingStep : ISaeTrainingStep
{
    private readonly TopKSparseAutoencoder _sae;
    private readonly int _batch;
    private readonly int _d;
    private readonly int _m;
    private readonly int _k;
    private readonly int _auxK;
    private readonly float _auxCoefficient;
    private readonly AdamSettings _adam;

    private readonly System.Diagnostics.Stopwatch _phaseClock = new();
    private readonly Tensor _input;
    private readonly Tensor _centered;
    private readonly Tensor _pre;

    private readonly NativeBuffer<float> _topValues;
    private readonly NativeBuffer<int> _topIndices;
    private readonly NativeBuffer<float> _topGrads;
    private readonly int[] _compactIndex;
    private float[] _auxEncoderBiasGrad = [];
    private NativeBuffer<float>? _auxSelection;
    private readonly NativeBuffer<float> _residual;
    private readonly NativeBuffer<float> _outputGrads;
    private readonly NativeBuffer<double> _rowA;
    private readonly NativeBuffer<double> _rowB;
    private readonly NativeBuffer<float> _columnMean;
    private readonly NativeBuffer<int> _entryOffsets;
    private readonly NativeBuffer<int> _entryRows;
    private readonly NativeBuffer<float> _entryCoefficients;
    private readonly NativeBuffer<float> _entryGrads;
    private readonly NativeBuffer<float> _encoderBiasGrad;
    private readonly NativeBuffer<float> _decoderBiasGrad;

    public FusedTrainingStep(TopKSparseAutoencoder sae, int batchSize, int auxK, float auxCoefficient, AdamSettings adam)
    {
        _sae = sae;
        _batch = batchSize;
        _d = sae.InputDim;
        _m = sae.LatentCount;
        _k = sae.K;
        _auxK = Math.Min(auxK, _m);
        _auxCoefficient = auxCoefficient;
        _adam = adam;
        _input = zeros(batchSize, _d, ScalarType.Float32);
        _centered = zeros(batchSize, _d, ScalarType.Float32);
        _pre = zeros(batchSize, _m, ScalarType.Float32);
        long bk = (long)batchSize * _k;
        _topValues = new NativeBuffer<float>(bk);
        _topIndices = new NativeBuffer<int>(bk);
        _topGrads = new NativeBuffer<float>(bk);
        _compactIndex = new int[_m];
        _residual = new NativeBuffer<float>((long)batchSize * _d);
        _outputGrads = new NativeBuffer<float>((long)batchSize * _d);
        _rowA = new NativeBuffer<double>(batchSize);
        _rowB = new NativeBuffer<double>(batchSize);
        _columnMean = new NativeBuffer<float>(_d);
        _entryOffsets = new NativeBuffer<int>(_m + 1);
        _entryRows = new NativeBuffer<int>(bk);
        _entryCoefficients = new NativeBuffer<float>(bk);
        _entryGrads = new NativeBuffer<float>(bk);
        _encoderBiasGrad = new NativeBuffer<float>(_m);
        _decoderBiasGrad = new NativeBuffer<float>(_d);
        EncoderWeightMoments = (new NativeBuffer<float>((long)_m * _d), new NativeBuffer<float>((long)_m * _d));
        DecoderWeightMoments = (new NativeBuffer<float>((long)_m * _d), new NativeBuffer<float>((long)_m * _d));
        EncoderBiasMoments = (new NativeBuffer<float>(_m), new NativeBuffer<float>(_m));
        DecoderBiasMoments = (new NativeBuffer<float>(_d), new NativeBuffer<float>(_d));
        FiredCounts = new int[_m];
    }

    /// <summary>The [B, d] batch the caller fills before <see cref="Run"/>.</summary>
    public Tensor Input => _input;

    public float* InputPointer => Pointer(_input);

    /// <summary>Runs only the dense encoder matmul of a step (same buffers and shape), for benchmarks.</summary>
    public void EncoderMatmulOnly()
    {
        using (no_grad())
        {
            _pre.addmm_(_centered, _sae.EncoderWeight.t(), beta: 0f, alpha: 1f);
        }
    }

    public (NativeBuffer<float> First, NativeBuffer<float> Second) EncoderWeightMoments { get; }

    public (NativeBuffer<float> First, NativeBuffer<float> Second) DecoderWeightMoments { get; }

    public (NativeBuffer<float> First, NativeBuffer<float> Second) EncoderBiasMoments { get; }

    public (NativeBuffer<float> First, NativeBuffer<float> Second) DecoderBiasMoments { get; }

    /// <summary>
    /// Seconds spent per phase, accumulated over all runs: prepare, matmul, top-k, decode+gradients, AuxK, grouping,
    /// bias gradients, per-latent update.
    /// </summary>
    public double[] PhaseSeconds { get; } = new double[8];

    /// <summary>After <see cref="Run"/>: how many frames of the batch each latent fired on (value &gt; 0).</summary>
    public int[] FiredCounts { get; }

    /// <summary>
    /// Runs one step on <see cref="Input"/>. <paramref name="deadLatents"/> lists the latents considered dead (AuxK
    /// candidates); <paramref name="adamStep"/> is the 1-based Adam step used for bias correction.
    /// </summary>
    public StepFigures Run(long adamStep, float learningRate, ReadOnlySpan<int> deadLatents)
    {
        _phaseClock.Restart();
        int b = _batch;
        int d = _d;
        int m = _m;
        int k = _k;
        float* x = Pointer(_input);
        float* xc = Pointer(_centered);
        float* pre = Pointer(_pre);
        float* encW = Pointer(_sae.EncoderWeight);
        float* encB = Pointer(_sae.EncoderBias);
        float* decW = Pointer(_sae.DecoderWeight);
        float* decB = Pointer(_sae.DecoderBias);
        float* residual = _residual.Pointer;
        float* grads = _outputGrads.Pointer;
        float* topV = _topValues.Pointer;
        int* topI = _topIndices.Pointer;
        float* topG = _topGrads.Pointer;
        double* rowA = _rowA.Pointer;
        double* rowB = _rowB.Pointer;
        float* colMean = _columnMean.Pointer;

        // 1. Batch mean (for the FVU denominator) and centred input x − b_dec.
        ColumnMean(x, b, d, colMean);
        SaeKernels.ParallelRanges(b, 64, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                rowA[r] = SaeKernels.CenterRow(x + ((long)r * d), decB, colMean, xc + ((long)r * d), d);
            }
        });
        double denominator = Math.Max(SumInOrder(rowA, b), 1e-30);

        Mark(0);

        // 2. Dense encoder matmul (the one unavoidable O(B·d·m) operation).
        using (no_grad())
        {
            _pre.addmm_(_centered, _sae.EncoderWeight.t(), beta: 0f, alpha: 1f);
        }

        Mark(1);

        // 3. Bias, top-k and (fused per row) the AuxK selection among dead latents into a dense [B, dead] block.
        int deadCount = deadLatents.Length;
        int auxK = (_auxK > 0 && deadCount > 0) ? Math.Min(_auxK, deadCount) : 0;
        float* selection = null;
        if (auxK > 0)
        {
            long needed = (long)b * deadCount;
            if (_auxSelection is null || _auxSelection.Length < needed)
            {
                _auxSelection?.Dispose();
                _auxSelection = new NativeBuffer<float>(needed);
            }

            selection = _auxSelection.Pointer;
        }

        fixed (int* dead = deadLatents)
        {
            int* deadPtr = dead;
            SaeKernels.ParallelRanges(b, 32, (start, end) =>
            {
                using var scratch = auxK > 0 ? new NativeBuffer<float>(deadCount) : null;
                for (int r = start; r < end; r++)
                {
                    float* row = pre + ((long)r * m);
                    SaeKernels.TopKRow(row, encB, storeBiased: auxK > 0, m, k, topV + ((long)r * k), topI + ((long)r * k));
                    for (int j = 0; j < k; j++)
                    {
                        float* v = topV + ((long)r * k) + j;
                        *v = Math.Max(*v, 0f);
                    }

                    if (auxK > 0)
                    {
                        SaeKernels.SelectTopAmong(row, deadPtr, deadCount, auxK, selection + ((long)r * deadCount), scratch is null ? null : scratch.Pointer);
                    }
                }
            });
        }

        Mark(2);

        // 4. Sparse decode, residual, FVU gradient w.r.t. x̂ and w.r.t. the selected values.
        float gradScale = (float)(2.0 / denominator);
        SaeKernels.ParallelRanges(b, 32, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                float* res = residual + ((long)r * d);
                float* g = grads + ((long)r * d);
                float* xr = x + ((long)r * d);
                SaeKernels.GatherAccumulate(res, topI + ((long)r * k), topV + ((long)r * k), k, decW, d, decB);
                rowB[r] = SaeKernels.ResidualRow(res, xr, g, gradScale, d);
                for (int j = 0; j < k; j++)
                {
                    long o = ((long)r * k) + j;
                    topG[o] = topV[o] > 0f ? SaeKernels.Dot(decW + ((long)topI[o] * d), g, d) : 0f;
                }
            }
        });
        double fvu = SumInOrder(rowB, b) / denominator;

        Mark(3);

        // 5. AuxK: decode the dead latents' top values WITHOUT b_dec and fit the detached residual e = x − x̂.
        double auxFvu = 0;
        TorchSharp.DisposeScope? auxScope = null;
        float* auxEncoderGrad = null;
        float* auxDecoderGrad = null;
        Array.Fill(_compactIndex, -1);
        if (auxK > 0)
        {
            auxScope = NewDisposeScope();
            auxFvu = AuxiliaryGradients(deadLatents, selection, out auxEncoderGrad, out auxDecoderGrad);
        }

        Mark(4);

        // 6. Group the selected (frame, latent) pairs by latent (counting sort: deterministic order).
        int* offsets = _entryOffsets.Pointer;
        int* entryRow = _entryRows.Pointer;
        float* entryCoef = _entryCoefficients.Pointer;
        float* entryGrad = _entryGrads.Pointer;
        new Span<int>(offsets, m + 1).Clear();
        Array.Clear(FiredCounts);
        long mainEntries = 0;
        for (long o = 0; o < (long)b * k; o++)
        {
            if (topV[o] > 0f)
            {
                offsets[topI[o] + 1]++;
                FiredCounts[topI[o]]++;
                mainEntries++;
            }
        }

        for (int j = 0; j < m; j++)
        {
            offsets[j + 1] += offsets[j];
        }

        var cursor = new int[m];
        new ReadOnlySpan<int>(offsets, m).CopyTo(cursor);
        for (int r = 0; r < b; r++)
        {
            for (int j = 0; j < k; j++)
            {
                long o = ((long)r * k) + j;
                if (topV[o] > 0f)
                {
                    int slot = cursor[topI[o]]++;
                    entryRow[slot] = r;
                    entryCoef[slot] = topV[o];
                    entryGrad[slot] = topG[o];
                }
            }
        }

        Mark(5);

        // 7. Bias gradients (need the weights before the update): gb_enc = Σ g_pre; gb_dec = Σ g_x̂ − W_encᵀ gb_enc.
        float* gbEnc = _encoderBiasGrad.Pointer;
        float* gbDec = _decoderBiasGrad.Pointer;
        for (int j = 0; j < m; j++)
        {
            float s = 0;
            for (int e = offsets[j]; e < offsets[j + 1]; e++)
            {
                s += entryGrad[e];
            }

            gbEnc[j] = s + (_compactIndex[j] >= 0 ? _auxEncoderBiasGrad[_compactIndex[j]] : 0f);
        }

        SaeKernels.ParallelRanges(d, 64, (start, end) =>
        {
            int width = end - start;
            new Span<float>(gbDec + start, width).Clear();
            for (int r = 0; r < b; r++)
            {
                SaeKernels.Axpy(1f, grads + ((long)r * d) + start, gbDec + start, width);
            }

            for (int j = 0; j < m; j++)
            {
                if (gbEnc[j] != 0f)
                {
                    SaeKernels.Axpy(-gbEnc[j], encW + ((long)j * d) + start, gbDec + start, width);
                }
            }
        });

        Mark(6);

        // 8. Per latent: sparse weight gradients, decoder-parallel removal, Adam, decoder renormalisation.
        double bc1 = 1.0 - Math.Pow(_adam.Beta1, adamStep);
        double bc2 = 1.0 - Math.Pow(_adam.Beta2, adamStep);
        float stepSize = (float)(learningRate / bc1);
        float inverseSqrtBc2 = (float)(1.0 / Math.Sqrt(bc2));
        float* encM = EncoderWeightMoments.First.Pointer;
        float* encV = EncoderWeightMoments.Second.Pointer;
        float* decM = DecoderWeightMoments.First.Pointer;
        float* decV = DecoderWeightMoments.Second.Pointer;
        bool normalize = _sae.NormalizeDecoder;
        var adam = _adam;
        var compactIndex = _compactIndex;
        float* auxEnc = auxEncoderGrad;
        float* auxDec = auxDecoderGrad;
        SaeKernels.ParallelRanges(m, 16, (start, end) =>
        {
            using var scratch = new NativeBuffer<float>(2L * d);
            float* gEnc = scratch.Pointer;
            float* gDec = scratch.Pointer + d;
            for (int j = start; j < end; j++)
            {
                int first = offsets[j];
                int count = offsets[j + 1] - first;
                int compact = compactIndex[j];
                float* extraEnc = compact >= 0 ? auxEnc + ((long)compact * d) : null;
                float* extraDec = compact >= 0 ? auxDec + ((long)compact * d) : null;
                SaeKernels.GatherAccumulate(gEnc, entryRow + first, entryGrad + first, count, xc, d, extraEnc);
                SaeKernels.GatherAccumulate(gDec, entryRow + first, entryCoef + first, count, grads, d, extraDec);

                long o = (long)j * d;
                if (normalize)
                {
                    float parallel = SaeKernels.Dot(gDec, decW + o, d);
                    SaeKernels.Axpy(-parallel, decW + o, gDec, d);
                }

                SaeKernels.AdamUpdate(encW + o, gEnc, encM + o, encV + o, d, adam.Beta1, adam.Beta2, stepSize, inverseSqrtBc2, adam.Epsilon);
                SaeKernels.AdamUpdate(decW + o, gDec, decM + o, decV + o, d, adam.Beta1, adam.Beta2, stepSize, inverseSqrtBc2, adam.Epsilon);
                if (normalize)
                {
                    SaeKernels.NormalizeRow(decW + o, d);
                }
            }
        });
        SaeKernels.AdamUpdate(encB, gbEnc, EncoderBiasMoments.First.Pointer, EncoderBiasMoments.Second.Pointer, m, adam.Beta1, adam.Beta2, stepSize, inverseSqrtBc2, adam.Epsilon);
        SaeKernels.AdamUpdate(decB, gbDec, DecoderBiasMoments.First.Pointer, DecoderBiasMoments.Second.Pointer, d, adam.Beta1, adam.Beta2, stepSize, inverseSqrtBc2, adam.Epsilon);

        auxScope?.Dispose();
        Mark(7);
        return new StepFigures(fvu, auxFvu, (double)mainEntries / b, auxK);
    }

    private void Mark(int phase)
    {
        PhaseSeconds[phase] += _phaseClock.Elapsed.TotalSeconds;
        _phaseClock.Restart();
    }

    /// <summary>
    /// AuxK with dense GEMMs over the dead latents that are active in this batch: Z [B, n] holds each frame's top
    /// k_aux dead-latent values (ReLU), ê = Z·W_dec[dead] (no b_dec), loss ‖ê − e‖² / Σ‖e − ē‖² with e = x − x̂
    /// detached; its gradients reach W_dec[dead], and through Z the encoder rows and b_enc (and b_dec) of those latents.
    /// </summary>
    private double AuxiliaryGradients(ReadOnlySpan<int> deadLatents, float* selection, out float* encoderGrad, out float* decoderGrad)
    {
        int b = _batch;
        int d = _d;
        int nd = deadLatents.Length;
        float* residual = _residual.Pointer;
        double* rowA = _rowA.Pointer;
        double* rowB = _rowB.Pointer;
        float* colMean = _columnMean.Pointer;

        // Keep only dead latents with a positive selected value somewhere in the batch.
        var active = new bool[nd];
        for (int r = 0; r < b; r++)
        {
            float* row = selection + ((long)r * nd);
            for (int c = 0; c < nd; c++)
            {
                active[c] |= row[c] > 0f;
            }
        }

        var columns = new List<int>();
        for (int c = 0; c < nd; c++)
        {
            if (active[c])
            {
                _compactIndex[deadLatents[c]] = columns.Count;
                columns.Add(c);
            }
        }

        int n = columns.Count;
        encoderGrad = null;
        decoderGrad = null;
        _auxEncoderBiasGrad = new float[Math.Max(1, n)];
        if (n == 0)
        {
            return 0;
        }

        var z = zeros(b, n, ScalarType.Float32);
        float* zp = Pointer(z);
        var columnArray = columns.ToArray();
        SaeKernels.ParallelRanges(b, 64, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                float* src = selection + ((long)r * nd);
                float* dst = zp + ((long)r * n);
                for (int c = 0; c < n; c++)
                {
                    dst[c] = src[columnArray[c]];
                }
            }
        });
        var latentIds = new long[n];
        for (int c = 0; c < n; c++)
        {
            latentIds[c] = deadLatents[columnArray[c]];
        }

        Tensor decoderRows;
        Tensor aux;
        using (no_grad())
        {
            decoderRows = _sae.DecoderWeight.index_select(0, tensor(latentIds)).contiguous();
            aux = z.mm(decoderRows);
        }

        // residual holds x̂ − x = −e; the AuxK target is e, so ê − e = ê + residual.
        float* a = Pointer(aux);
        ColumnMean(residual, b, d, colMean);
        SaeKernels.ParallelRanges(b, 32, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                (rowA[r], rowB[r]) = SaeKernels.AuxResidualRow(a + ((long)r * d), residual + ((long)r * d), colMean, d);
            }
        });
        double auxDenominator = Math.Max(SumInOrder(rowB, b), 1e-30);
        double auxFvu = SumInOrder(rowA, b) / auxDenominator;
        Tensor gradZ;
        Tensor gradDecoder;
        Tensor gradEncoder;
        using (no_grad())
        {
            using (var auxScale = ((float)(2.0 * _auxCoefficient / auxDenominator)).ToScalar())
            {
                aux.mul_(auxScale);
            }

            gradZ = aux.mm(decoderRows.t());
            float* gz = Pointer(gradZ);
            SaeKernels.ParallelRanges(b, 64, (start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    for (int c = 0; c < n; c++)
                    {
                        long o = ((long)r * n) + c;
                        if (!(zp[o] > 0f))
                        {
                            gz[o] = 0f;
                        }
                    }
                }
            });
            for (int r = 0; r < b; r++)
            {
                for (int c = 0; c < n; c++)
                {
                    _auxEncoderBiasGrad[c] += gz[((long)r * n) + c];
                }
            }

            gradDecoder = z.t().mm(aux);
            gradEncoder = gradZ.t().mm(_centered);
        }

        encoderGrad = Pointer(gradEncoder);
        decoderGrad = Pointer(gradDecoder);
        return auxFvu;
    }

    /// <inheritdoc/>
    public void StoreParametersToModel()
    {
        // The fused kernels update the SAE's own CPU parameters in place.
    }

    /// <inheritdoc/>
    public void LoadParametersFromModel()
    {
        // The fused kernels read the SAE's own CPU parameters.
    }

    /// <inheritdoc/>
    public void AddOptimizerState(List<SafeTensorSource> sources, List<IDisposable> owned)
    {
        long md = (long)_m * _d;
        sources.Add(SafeTensorSource.FromNative("adam.encoder.weight.m", EncoderWeightMoments.First.Pointer, md, _m, _d));
        sources.Add(SafeTensorSource.FromNative("adam.encoder.weight.v", EncoderWeightMoments.Second.Pointer, md, _m, _d));
        sources.Add(SafeTensorSource.FromNative("adam.W_dec.m", DecoderWeightMoments.First.Pointer, md, _m, _d));
        sources.Add(SafeTensorSource.FromNative("adam.W_dec.v", DecoderWeightMoments.Second.Pointer, md, _m, _d));
        sources.Add(SafeTensorSource.FromNative("adam.encoder.bias.m", EncoderBiasMoments.First.Pointer, _m, _m));
        sources.Add(SafeTensorSource.FromNative("adam.encoder.bias.v", EncoderBiasMoments.Second.Pointer, _m, _m));
        sources.Add(SafeTensorSource.FromNative("adam.b_dec.m", DecoderBiasMoments.First.Pointer, _d, _d));
        sources.Add(SafeTensorSource.FromNative("adam.b_dec.v", DecoderBiasMoments.Second.Pointer, _d, _d));
    }

    /// <inheritdoc/>
    public void LoadOptimizerState(IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        tensors["adam.encoder.weight.m"].ToSingles().CopyTo(EncoderWeightMoments.First.Span);
        tensors["adam.encoder.weight.v"].ToSingles().CopyTo(EncoderWeightMoments.Second.Span);
        tensors["adam.W_dec.m"].ToSingles().CopyTo(DecoderWeightMoments.First.Span);
        tensors["adam.W_dec.v"].ToSingles().CopyTo(DecoderWeightMoments.Second.Span);
        tensors["adam.encoder.bias.m"].ToSingles().CopyTo(EncoderBiasMoments.First.Span);
        tensors["adam.encoder.bias.v"].ToSingles().CopyTo(EncoderBiasMoments.Second.Span);
        tensors["adam.b_dec.m"].ToSingles().CopyTo(DecoderBiasMoments.First.Span);
        tensors["adam.b_dec.v"].ToSingles().CopyTo(DecoderBiasMoments.Second.Span);
    }

    private static void ColumnMean(float* rows, int count, int width, float* mean)
    {
        SaeKernels.ParallelRanges(width, 64, (start, end) =>
        {
            int span = end - start;
            new Span<float>(mean + start, span).Clear();
            for (int r = 0; r < count; r++)
            {
                SaeKernels.Axpy(1f, rows + ((long)r * width) + start, mean + start, span);
            }

            for (int c = start; c < end; c++)
            {
                mean[c] /= count;
            }
        });
    }

    private static double SumInOrder(double* values, int count)
    {
        double s = 0;
        for (int i = 0; i < count; i++)
        {
            s += values[i];
        }

        return s;
    }

    internal static float* Pointer(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous())
        {
            throw new InvalidOperationException("The fused CPU kernels need contiguous float32 CPU tensors.");
        }

        return (float*)t.storage<float>().data_ptr() + t.storage_offset();
    }

    public void Dispose()
    {
        _input.Dispose();
        _centered.Dispose();
        _pre.Dispose();
        foreach (var buffer in new IDisposable[]
        {
            _topValues, _topIndices, _topGrads, _residual, _outputGrads, _rowA, _rowB,
            _columnMean, _entryOffsets, _entryRows, _entryCoefficients, _entryGrads, _encoderBiasGrad, _decoderBiasGrad,
            EncoderWeightMoments.First, EncoderWeightMoments.Second, DecoderWeightMoments.First, DecoderWeightMoments.Second,
            EncoderBiasMoments.First, EncoderBiasMoments.Second, DecoderBiasMoments.First, DecoderBiasMoments.Second,
        })
        {
            buffer.Dispose();
        }

        _auxSelection?.Dispose();
    }
}
