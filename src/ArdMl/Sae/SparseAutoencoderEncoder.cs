using ArdMl.Concepts;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// Per-frame sparse codes: the k (value, latent index) pairs of each frame, row-major [frames, k]; k is the SAE's
/// <see cref="TopKSparseAutoencoder.CodeWidth"/>, and slots of latents that do not fire hold zero.
/// </summary>
public sealed class SparseCodes
{
    /// <summary>Creates codes from row-major arrays of length <c>frameCount · k</c>.</summary>
    public SparseCodes(int frameCount, int k, float[] values, int[] indices)
    {
        if (values.Length != (long)frameCount * k || indices.Length != values.Length)
        {
            throw new ArgumentException($"Sparse codes of {frameCount} frames × k={k} need {(long)frameCount * k} values and indices.");
        }

        FrameCount = frameCount;
        K = k;
        Values = values;
        Indices = indices;
    }

    /// <summary>Number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Codes per frame.</summary>
    public int K { get; }

    /// <summary>Latent values after ReLU, descending within each frame, [frames, k].</summary>
    public float[] Values { get; }

    /// <summary>Latent indices matching <see cref="Values"/>, [frames, k].</summary>
    public int[] Indices { get; }
}

/// <summary>Per-clip latent statistics used to rank clips (AR&amp;D's retrieve step).</summary>
public sealed class ClipLatentStatistics
{
    internal ClipLatentStatistics(int frameCount, float[] meanActivation, float[] coverage, SparseCodes? codes)
    {
        FrameCount = frameCount;
        MeanActivation = meanActivation;
        Coverage = coverage;
        Codes = codes;
    }

    /// <summary>Number of frames of the clip.</summary>
    public int FrameCount { get; }

    /// <summary>Mean activation per latent, length m (see <see cref="ClipMeanMode"/>).</summary>
    public float[] MeanActivation { get; }

    /// <summary>Share of the clip's frames on which each latent fires (value &gt; 0), length m.</summary>
    public float[] Coverage { get; }

    /// <summary>Per-frame sparse codes when requested, else null.</summary>
    public SparseCodes? Codes { get; }
}

/// <summary>
/// Fast CPU encoder for a trained <see cref="TopKSparseAutoencoder"/>: frames are encoded in batches (one dense
/// encoder matmul per batch into a reused buffer, then a fused bias + top-k kernel per row); only the k winners per
/// frame are kept (or, for an SAE with a <see cref="TopKSparseAutoencoder.Threshold"/>, the up to
/// <see cref="TopKSparseAutoencoder.CodeWidth"/> largest above θ, the other slots zero). Not thread-safe: use one
/// instance per thread.
/// </summary>
public sealed unsafe class SparseAutoencoderEncoder : IDisposable
{
    private readonly TopKSparseAutoencoder _sae;
    private readonly int _batchFrames;
    private readonly int _width;
    private readonly float _floor;
    private readonly Tensor _input;
    private readonly Tensor _pre;
    private readonly NativeBuffer<float> _values;
    private readonly NativeBuffer<int> _indices;

    /// <summary>
    /// Creates an encoder that processes up to <paramref name="batchFrames"/> frames per matmul; it uses the SAE's
    /// <see cref="TopKSparseAutoencoder.Threshold"/> as it is now.
    /// </summary>
    public SparseAutoencoderEncoder(TopKSparseAutoencoder sae, int batchFrames = 1024)
    {
        ArgumentNullException.ThrowIfNull(sae);
        if (batchFrames <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchFrames), batchFrames, "The encoder batch must hold at least one frame.");
        }

        _sae = sae;
        _batchFrames = batchFrames;
        _width = sae.CodeWidth;

        // With a threshold θ (BatchTopK family) a kept value must exceed max(θ, 0); Top-K keeps every positive one.
        _floor = sae.Threshold is float theta ? Math.Max(theta, 0f) : 0f;
        _input = zeros(batchFrames, sae.InputDim, ScalarType.Float32);
        _pre = zeros(batchFrames, sae.LatentCount, ScalarType.Float32);
        _values = new NativeBuffer<float>((long)batchFrames * _width);
        _indices = new NativeBuffer<int>((long)batchFrames * _width);
    }

    /// <summary>The autoencoder being applied.</summary>
    public TopKSparseAutoencoder Autoencoder => _sae;

    /// <summary>Encodes <paramref name="frames"/> (row-major frames × d) into per-frame sparse codes.</summary>
    public SparseCodes Encode(ReadOnlySpan<float> frames)
    {
        int frameCount = CountFrames(frames);
        var values = new float[(long)frameCount * _width];
        var indices = new int[values.Length];
        Run(frames, frameCount, (first, count, v, i) =>
        {
            new ReadOnlySpan<float>(v, count * _width).CopyTo(values.AsSpan(first * _width));
            new ReadOnlySpan<int>(i, count * _width).CopyTo(indices.AsSpan(first * _width));
        });
        return new SparseCodes(frameCount, _width, values, indices);
    }

    /// <summary>Computes MeanActivation and Coverage (and optionally the codes) of one clip.</summary>
    public ClipLatentStatistics ComputeStatistics(
        ReadOnlySpan<float> frames, ClipMeanMode meanMode = ClipMeanMode.AllFrames, bool includeCodes = false)
    {
        int frameCount = CountFrames(frames);
        var mean = new float[_sae.LatentCount];
        var coverage = new float[_sae.LatentCount];
        float[]? values = includeCodes ? new float[(long)frameCount * _width] : null;
        int[]? indices = includeCodes ? new int[(long)frameCount * _width] : null;
        ComputeStatistics(frames, mean, coverage, meanMode, values, indices);
        return new ClipLatentStatistics(
            frameCount, mean, coverage, includeCodes ? new SparseCodes(frameCount, _width, values!, indices!) : null);
    }

    /// <summary>
    /// Allocation-free form of <see cref="ComputeStatistics(ReadOnlySpan{float}, ClipMeanMode, bool)"/>: writes the
    /// statistics (length m each) and, when the spans are non-empty, the codes (length frames · k each).
    /// </summary>
    public void ComputeStatistics(
        ReadOnlySpan<float> frames, Span<float> meanActivation, Span<float> coverage, ClipMeanMode meanMode,
        Span<float> codeValues = default, Span<int> codeIndices = default)
    {
        int m = _sae.LatentCount;
        int k = _width;
        if (meanActivation.Length != m || coverage.Length != m)
        {
            throw new ArgumentException($"MeanActivation and Coverage must have length m = {m}.");
        }

        int frameCount = CountFrames(frames);
        bool codes = !codeValues.IsEmpty || !codeIndices.IsEmpty;
        if (codes && (codeValues.Length != (long)frameCount * k || codeIndices.Length != codeValues.Length))
        {
            throw new ArgumentException($"Code buffers must have length frames × k = {(long)frameCount * k}.");
        }

        meanActivation.Clear();
        coverage.Clear();
        if (frameCount == 0)
        {
            return;
        }

        fixed (float* meanPtr = meanActivation)
        fixed (float* coveragePtr = coverage)
        fixed (float* codeValuesPtr = codeValues)
        fixed (int* codeIndicesPtr = codeIndices)
        {
            float* sums = meanPtr;
            float* counts = coveragePtr;
            float* cv = codeValuesPtr;
            int* ci = codeIndicesPtr;
            Run(frames, frameCount, (first, count, v, i) =>
            {
                for (long e = 0; e < (long)count * k; e++)
                {
                    if (v[e] > 0f)
                    {
                        sums[i[e]] += v[e];
                        counts[i[e]] += 1f;
                    }
                }

                if (codes)
                {
                    long offset = (long)first * k;
                    Buffer.MemoryCopy(v, cv + offset, (long)count * k * sizeof(float), (long)count * k * sizeof(float));
                    Buffer.MemoryCopy(i, ci + offset, (long)count * k * sizeof(int), (long)count * k * sizeof(int));
                }
            });
        }

        for (int j = 0; j < m; j++)
        {
            float fires = coverage[j];
            meanActivation[j] = meanMode == ClipMeanMode.AllFrames
                ? meanActivation[j] / frameCount
                : (fires > 0 ? meanActivation[j] / fires : 0f);
            coverage[j] = fires / frameCount;
        }
    }

    private delegate void ChunkSink(int firstFrame, int frameCount, float* values, int* indices);

    private void Run(ReadOnlySpan<float> frames, int frameCount, ChunkSink sink)
    {
        int d = _sae.InputDim;
        int m = _sae.LatentCount;
        int k = _width;
        float floor = _floor;
        float* input = FusedTrainingStep.Pointer(_input);
        float* pre = FusedTrainingStep.Pointer(_pre);
        float* encB = FusedTrainingStep.Pointer(_sae.EncoderBias);
        float* decB = FusedTrainingStep.Pointer(_sae.DecoderBias);
        float* values = _values.Pointer;
        int* indices = _indices.Pointer;
        for (int first = 0; first < frameCount; first += _batchFrames)
        {
            int count = Math.Min(_batchFrames, frameCount - first);
            var chunk = frames.Slice(first * d, count * d);
            if (!SaeKernels.AllFinite(chunk))
            {
                throw new ArgumentException($"Frame {first + FirstNonFinite(chunk, d)} contains NaN or infinity.", nameof(frames));
            }

            fixed (float* src = chunk)
            {
                float* s = src;
                SaeKernels.ParallelRanges(count, 64, (start, end) =>
                {
                    for (int r = start; r < end; r++)
                    {
                        long o = (long)r * d;
                        for (int c = 0; c < d; c++)
                        {
                            input[o + c] = s[o + c] - decB[c];
                        }
                    }
                });
            }

            using (no_grad())
            using (var x = _input.narrow(0, 0, count))
            using (var p = _pre.narrow(0, 0, count))
            {
                p.addmm_(x, _sae.EncoderWeight.t(), beta: 0f, alpha: 1f);
            }

            SaeKernels.ParallelRanges(count, 32, (start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    float* row = pre + ((long)r * m);
                    float* v = values + ((long)r * k);
                    SaeKernels.TopKRow(row, encB, m, k, v, indices + ((long)r * k));
                    for (int j = 0; j < k; j++)
                    {
                        v[j] = v[j] > floor ? v[j] : 0f;
                    }
                }
            });
            sink(first, count, values, indices);
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> chunk, int d)
    {
        for (int i = 0; i < chunk.Length; i++)
        {
            if (!float.IsFinite(chunk[i]))
            {
                return i / d;
            }
        }

        return 0;
    }

    private int CountFrames(ReadOnlySpan<float> frames)
    {
        int d = _sae.InputDim;
        if (frames.Length % d != 0)
        {
            throw new ArgumentException(
                $"Frames must be a row-major frames × d block with d = {d}; got {frames.Length} values, not a multiple of {d}.",
                nameof(frames));
        }

        return frames.Length / d;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _input.Dispose();
        _pre.Dispose();
        _values.Dispose();
        _indices.Dispose();
    }
}
