// One file of about 750 lines, on purpose: the step's phases (encode, select, decode, gradients, Adam) share some
// forty preallocated buffers and one fixed order of work that makes results independent of the thread count; split
// into parts, every part would need all of that state. The kernels it calls live in SaeKernels.
using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>Adam hyper-parameters.</summary>
internal readonly record struct AdamSettings(float Beta1, float Beta2, float Epsilon);

/// <summary>Figures of one training step.</summary>
internal readonly record struct StepFigures(double Fvu, double AuxFvu, double L0, int AuxLatents);

/// <summary>
/// One Top-K SAE training step on the CPU with manual gradients: the dense encoder matmul (and AuxK's GEMMs over the
/// dead latents) run in libtorch, everything else (top-k, sparse decode, FVU gradients, the sparse encoder/decoder
/// weight gradients, removal of the gradient parallel to decoder rows, Adam, decoder renormalisation) runs in kernels
/// that touch only the k selected latents per frame. The sparse products run over 64-column blocks of the batch,
/// latent by latent, so each decoder row block is read once per step and the batch block stays in cache. No dense
/// [B, m] tensor exists besides the pre-activations; weight gradients exist only for a chunk of latents at a time
/// (at most 128 MiB), consumed by Adam right after.
/// </summary>
internal sealed unsafe class FusedTrainingStep : ISaeTrainingStep
{
    /// <summary>Columns per block of the column-blocked sparse products (a block of 4096 frames is 1 MiB).</summary>
    private const int BlockWidth = 64;

    /// <summary>Size of each per-chunk weight-gradient buffer, in floats (64 MiB).</summary>
    private const long ChunkBufferFloats = 1L << 24;

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
    private readonly int[] _compactIndex;
    private float[] _auxEncoderBiasGrad = [];
    private readonly ScratchTensor _auxSelection = new();
    private readonly ScratchTensor _auxCompacted = new();
    private readonly ScratchTensor _auxDecoderRows = new();
    private readonly ScratchTensor _auxOutput = new();
    private readonly ScratchTensor _auxSelectionGrads = new();
    private readonly ScratchTensor _auxEncoderGrads = new();
    private readonly ScratchTensor _auxDecoderGrads = new();
    private readonly ColumnBlockLayout _layout;
    private readonly int _chunkLatents;
    private readonly NativeBuffer<float> _residual;
    private readonly NativeBuffer<float> _centeredBlocks;
    private readonly NativeBuffer<float> _gradBlocks;
    private readonly NativeBuffer<double> _rowPartials;
    private readonly NativeBuffer<float> _chunkEncoderGrads;
    private readonly NativeBuffer<float> _chunkDecoderGrads;
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
        _compactIndex = new int[_m];
        _layout = new ColumnBlockLayout(batchSize, _d, BlockWidth);
        _chunkLatents = (int)Math.Clamp(ChunkBufferFloats / _d, 1, _m);
        _residual = new NativeBuffer<float>((long)batchSize * _d);
        _centeredBlocks = new NativeBuffer<float>((long)batchSize * _d);
        _gradBlocks = new NativeBuffer<float>((long)batchSize * _d);
        _rowPartials = new NativeBuffer<double>((long)_layout.BlockCount * batchSize);
        _chunkEncoderGrads = new NativeBuffer<float>((long)_chunkLatents * _d);
        _chunkDecoderGrads = new NativeBuffer<float>((long)_chunkLatents * _d);
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
    /// Seconds spent per phase, accumulated over all runs: prepare, matmul, top-k, grouping, decode+gradients, AuxK,
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
        float* gradBlocks = _gradBlocks.Pointer;
        float* topV = _topValues.Pointer;
        int* topI = _topIndices.Pointer;
        double* rowA = _rowA.Pointer;
        double* rowB = _rowB.Pointer;
        float* colMean = _columnMean.Pointer;

        // 1. Batch mean (for the FVU denominator) and centred input x − b_dec.
        ColumnMean(x, b, d, colMean);
        var layout = _layout;
        float* xcBlocks = _centeredBlocks.Pointer;
        SaeKernels.ParallelRanges(b, 64, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                rowA[r] = SaeKernels.CenterRow(x + ((long)r * d), decB, colMean, xc + ((long)r * d), d);
                layout.StoreRow(xc + ((long)r * d), r, xcBlocks);
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
        int stride = SelectionStride(deadCount);
        float* selection = null;
        if (auxK > 0)
        {
            selection = _auxSelection.Pointer(b, stride);
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
                    SaeKernels.TopKRow(row, encB, m, k, topV + ((long)r * k), topI + ((long)r * k));
                    for (int j = 0; j < k; j++)
                    {
                        float* v = topV + ((long)r * k) + j;
                        *v = Math.Max(*v, 0f);
                    }

                    if (auxK > 0)
                    {
                        float* selected = selection + ((long)r * stride);
                        SaeKernels.SelectTopAmong(row, encB, deadPtr, deadCount, auxK, selected, scratch is null ? null : scratch.Pointer);
                        new Span<float>(selected + deadCount, stride - deadCount).Clear();
                    }
                }
            });
        }

        Mark(2);

        // 4. Group the selected (frame, latent) pairs with a positive value by latent (counting sort: deterministic).
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
                }
            }
        }

        Mark(3);

        // 5. Sparse decode one column block at a time (latent by latent, so each decoder row block is read once),
        //    residual e = x̂ − x, FVU gradient g = 2e/denominator (kept in column blocks) and Σ_rows g for b_dec; then
        //    the gradient w.r.t. each selected value, W_dec[j]·g[frame], accumulated block by block.
        float gradScale = (float)(2.0 / denominator);
        int blockCount = layout.BlockCount;
        double* partials = _rowPartials.Pointer;
        float* gbDec = _decoderBiasGrad.Pointer;
        SaeKernels.ParallelRanges(blockCount, 1, (q0, q1) =>
        {
            for (int q = q0; q < q1; q++)
            {
                int c0 = layout.Start(q);
                int width = layout.WidthOf(q);
                float* block = gradBlocks + layout.Offset(q);
                for (int r = 0; r < b; r++)
                {
                    new ReadOnlySpan<float>(decB + c0, width).CopyTo(new Span<float>(block + ((long)r * width), width));
                }

                for (int j = 0; j < m; j++)
                {
                    int begin = offsets[j];
                    SaeKernels.ScatterAxpy(decW + ((long)j * d) + c0, width, entryCoef + begin, entryRow + begin, offsets[j + 1] - begin, block);
                }

                // With AuxK on, colMean takes the residual's column mean (the batch mean of x is no longer needed).
                new Span<float>(gbDec + c0, width).Clear();
                new Span<float>(colMean + c0, width).Clear();
                for (int r = 0; r < b; r++)
                {
                    float* row = block + ((long)r * width);
                    long o = ((long)r * d) + c0;
                    partials[((long)q * b) + r] = SaeKernels.ResidualRow(row, x + o, residual + o, row, gradScale, width);
                    SaeKernels.Axpy(1f, row, gbDec + c0, width);
                    if (auxK > 0)
                    {
                        SaeKernels.Axpy(1f, residual + o, colMean + c0, width);
                    }
                }

                for (int c = c0; c < c0 + width && auxK > 0; c++)
                {
                    colMean[c] /= b;
                }
            }
        });
        for (int r = 0; r < b; r++)
        {
            double sum = 0;
            for (int q = 0; q < blockCount; q++)
            {
                sum += partials[((long)q * b) + r];
            }

            rowB[r] = sum;
        }

        double fvu = SumInOrder(rowB, b) / denominator;

        // One latent range per thread (split by entry count): each range sweeps every block once, so a block's frames
        // stay in cache for all of the range's entries.
        SaeKernels.ParallelEntryRanges(offsets, m, (j0, j1) =>
        {
            new Span<float>(entryGrad + offsets[j0], offsets[j1] - offsets[j0]).Clear();
            for (int q = 0; q < blockCount; q++)
            {
                int c0 = layout.Start(q);
                int width = layout.WidthOf(q);
                float* block = gradBlocks + layout.Offset(q);
                for (int j = j0; j < j1; j++)
                {
                    int begin = offsets[j];
                    SaeKernels.GatherDots(decW + ((long)j * d) + c0, width, entryRow + begin, offsets[j + 1] - begin, block, entryGrad + begin);
                }
            }
        });

        Mark(4);

        // 6. AuxK: decode the dead latents' top values WITHOUT b_dec and fit the detached residual e = x − x̂.
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

        Mark(5);

        // 7. Bias gradients (need the weights before the update): gb_enc = Σ g_pre; gb_dec = Σ g_x̂ − W_encᵀ gb_enc.
        float* gbEnc = _encoderBiasGrad.Pointer;
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
            for (int j = 0; j < m; j++)
            {
                if (gbEnc[j] != 0f)
                {
                    SaeKernels.Axpy(-gbEnc[j], encW + ((long)j * d) + start, gbDec + start, width);
                }
            }
        });

        Mark(6);

        // 8. Per chunk of latents: sparse weight gradients gathered block by block from the column-blocked inputs and
        //    output gradients; then per latent: decoder-parallel removal, Adam, decoder renormalisation.
        double bc1 = 1.0 - Math.Pow(_adam.Beta1, adamStep);
        double bc2 = 1.0 - Math.Pow(_adam.Beta2, adamStep);
        float stepSize = (float)(learningRate / bc1);
        float inverseSqrtBc2 = (float)(1.0 / Math.Sqrt(bc2));
        float* encM = EncoderWeightMoments.First.Pointer;
        float* encV = EncoderWeightMoments.Second.Pointer;
        float* decM = DecoderWeightMoments.First.Pointer;
        float* decV = DecoderWeightMoments.Second.Pointer;
        float* chunkEnc = _chunkEncoderGrads.Pointer;
        float* chunkDec = _chunkDecoderGrads.Pointer;
        bool normalize = _sae.NormalizeDecoder;
        var adam = _adam;
        var compactIndex = _compactIndex;
        float* auxEnc = auxEncoderGrad;
        float* auxDec = auxDecoderGrad;
        for (int chunkStart = 0; chunkStart < m; chunkStart += _chunkLatents)
        {
            int first = chunkStart;
            int last = Math.Min(m, chunkStart + _chunkLatents);
            SaeKernels.ParallelRanges(blockCount, 1, (q0, q1) =>
            {
                for (int q = q0; q < q1; q++)
                {
                    int c0 = layout.Start(q);
                    int width = layout.WidthOf(q);
                    float* xcBlock = xcBlocks + layout.Offset(q);
                    float* gBlock = gradBlocks + layout.Offset(q);
                    for (int j = first; j < last; j++)
                    {
                        int begin = offsets[j];
                        int count = offsets[j + 1] - begin;
                        int compact = compactIndex[j];
                        float* extraEnc = compact >= 0 ? auxEnc + ((long)compact * d) + c0 : null;
                        float* extraDec = compact >= 0 ? auxDec + ((long)compact * d) + c0 : null;
                        long o = ((long)(j - first) * d) + c0;
                        SaeKernels.GatherAccumulate(chunkEnc + o, entryRow + begin, entryGrad + begin, count, xcBlock, width, extraEnc);
                        SaeKernels.GatherAccumulate(chunkDec + o, entryRow + begin, entryCoef + begin, count, gBlock, width, extraDec);
                    }
                }
            });
            SaeKernels.ParallelRanges(last - first, 16, (start, end) =>
            {
                for (int j = first + start; j < first + end; j++)
                {
                    float* gEnc = chunkEnc + ((long)(j - first) * d);
                    float* gDec = chunkDec + ((long)(j - first) * d);
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
        }

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
    /// Z is the selection block itself unless enough dead latents are silent in the batch to make compacting pay.
    /// </summary>
    private double AuxiliaryGradients(ReadOnlySpan<int> deadLatents, float* selection, out float* encoderGrad, out float* decoderGrad)
    {
        int b = _batch;
        int d = _d;
        int nd = deadLatents.Length;
        int stride = SelectionStride(nd);
        float* residual = _residual.Pointer;
        double* rowA = _rowA.Pointer;
        double* rowB = _rowB.Pointer;
        float* colMean = _columnMean.Pointer;

        // Dead latents with a positive selected value somewhere in the batch (column maxima of the selection).
        using var columnMax = new NativeBuffer<float>(nd);
        float* colMax = columnMax.Pointer;
        SaeKernels.ParallelRanges(nd, 256, (start, end) => SaeKernels.ColumnMaxima(selection, b, stride, start, end, colMax));
        var columns = new List<int>(nd);
        for (int c = 0; c < nd; c++)
        {
            if (colMax[c] > 0f)
            {
                columns.Add(c);
            }
        }

        int n = columns.Count;
        encoderGrad = null;
        decoderGrad = null;
        if (n == 0)
        {
            return 0;
        }

        // Silent columns cost GEMM work but contribute exact zeros; compact only when many are silent.
        bool compact = n < nd - (nd / 8);
        int used = compact ? n : nd;
        int width = compact ? SelectionStride(n) : stride;
        var columnArray = compact ? columns.ToArray() : Enumerable.Range(0, nd).ToArray();
        for (int c = 0; c < used; c++)
        {
            if (colMax[columnArray[c]] > 0f)
            {
                _compactIndex[deadLatents[columnArray[c]]] = c;
            }
        }

        float* z;
        Tensor zTensor;
        if (compact)
        {
            z = _auxCompacted.Pointer(b, width);
            float* zp = z;
            SaeKernels.ParallelRanges(b, 64, (start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    float* src = selection + ((long)r * stride);
                    float* dst = zp + ((long)r * width);
                    for (int c = 0; c < n; c++)
                    {
                        dst[c] = src[columnArray[c]];
                    }

                    new Span<float>(dst + n, width - n).Clear();
                }
            });
            zTensor = _auxCompacted.View(b, width);
        }
        else
        {
            z = selection;
            zTensor = _auxSelection.View(b, stride);
        }

        float* rows = _auxDecoderRows.Pointer(width, d);
        float* decW = Pointer(_sae.DecoderWeight);
        fixed (int* dead = deadLatents)
        {
            int* deadPtr = dead;
            SaeKernels.ParallelRanges(width, 64, (start, end) =>
            {
                for (int c = start; c < end; c++)
                {
                    var target = new Span<float>(rows + ((long)c * d), d);
                    if (c < used)
                    {
                        new ReadOnlySpan<float>(decW + ((long)deadPtr[columnArray[c]] * d), d).CopyTo(target);
                    }
                    else
                    {
                        target.Clear();
                    }
                }
            });
        }

        var decoderRows = _auxDecoderRows.View(width, d);
        var aux = _auxOutput.View(b, d);
        using (no_grad())
        {
            aux.addmm_(zTensor, decoderRows, beta: 0f, alpha: 1f);
        }

        // residual holds x̂ − x = −e (its column mean is in colMean, from the decode); the AuxK target is e, so
        // ê − e = ê + residual.
        float* a = _auxOutput.Pointer(b, d);
        SaeKernels.ParallelRanges(b, 32, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                (rowA[r], rowB[r]) = SaeKernels.AuxResidualRow(a + ((long)r * d), residual + ((long)r * d), colMean, d);
            }
        });
        double auxDenominator = Math.Max(SumInOrder(rowB, b), 1e-30);
        double auxFvu = SumInOrder(rowA, b) / auxDenominator;
        float auxScale = (float)(2.0 * _auxCoefficient / auxDenominator);
        var gradZ = _auxSelectionGrads.View(b, width);
        var gradDecoder = _auxDecoderGrads.View(width, d);
        var gradEncoder = _auxEncoderGrads.View(width, d);
        _auxEncoderBiasGrad = new float[width];
        using (no_grad())
        {
            gradZ.addmm_(aux, decoderRows.t(), beta: 0f, alpha: auxScale);
            float* gz = _auxSelectionGrads.Pointer(b, width);
            fixed (float* biasGrad = _auxEncoderBiasGrad)
            {
                float* bg = biasGrad;
                SaeKernels.ParallelRanges(width, 256, (start, end) => SaeKernels.MaskColumnsAndSum(gz, z, b, width, start, end, bg));
            }

            gradDecoder.addmm_(zTensor.t(), aux, beta: 0f, alpha: auxScale);
            gradEncoder.addmm_(gradZ.t(), _centered, beta: 0f, alpha: 1f);
        }

        encoderGrad = _auxEncoderGrads.Pointer(width, d);
        decoderGrad = _auxDecoderGrads.Pointer(width, d);
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

    /// <summary>A flat float32 CPU tensor that grows on demand and is read as [rows, columns] (views, pointers).</summary>
    private sealed class ScratchTensor : IDisposable
    {
        private Tensor? _storage;

        /// <summary>A [rows, columns] view of the first rows·columns floats (valid until the next growth).</summary>
        public Tensor View(long rows, long columns)
        {
            Ensure(rows * columns);
            return _storage!.narrow(0, 0, rows * columns).view(rows, columns);
        }

        public float* Pointer(long rows, long columns)
        {
            Ensure(rows * columns);
            return FusedTrainingStep.Pointer(_storage!);
        }

        public void Dispose() => _storage?.Dispose();

        private void Ensure(long length)
        {
            if (_storage is null || _storage.NumberOfElements < length)
            {
                _storage?.Dispose();
                _storage = empty(Math.Max(1, length), ScalarType.Float32).DetachFromDisposeScope();
            }
        }
    }

    /// <summary>
    /// Row stride of the AuxK selection block and its GEMMs: the column count rounded up to a multiple of 64 (zero
    /// columns), which the BLAS handles markedly faster than odd widths.
    /// </summary>
    private static int SelectionStride(int columns) => (columns + 63) / 64 * 64;

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
            _topValues, _topIndices, _residual, _centeredBlocks, _gradBlocks, _rowPartials,
            _chunkEncoderGrads, _chunkDecoderGrads, _rowA, _rowB,
            _columnMean, _entryOffsets, _entryRows, _entryCoefficients, _entryGrads, _encoderBiasGrad, _decoderBiasGrad,
            EncoderWeightMoments.First, EncoderWeightMoments.Second, DecoderWeightMoments.First, DecoderWeightMoments.Second,
            EncoderBiasMoments.First, EncoderBiasMoments.Second, DecoderBiasMoments.First, DecoderBiasMoments.Second,
        })
        {
            buffer.Dispose();
        }

        foreach (var scratch in new[] { _auxSelection, _auxCompacted, _auxDecoderRows, _auxOutput, _auxSelectionGrads, _auxEncoderGrads, _auxDecoderGrads })
        {
            scratch.Dispose();
        }
    }
}
