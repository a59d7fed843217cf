using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArdMl.Sae;

/// <summary>
/// Hand-written CPU kernels for the Top-K SAE: per-row top-k selection (optionally fused with the AuxK selection among
/// dead latents), sparse decode (a weighted sum of k decoder rows), gathered dot products and fused per-latent
/// gradient accumulation. Every reduction runs in a fixed order, so results do not depend on the thread count. The
/// top-k selection lives in <c>SaeKernels.TopK.cs</c>.
/// </summary>
internal static unsafe partial class SaeKernels
{
    /// <summary>Number of floats processed per SIMD step.</summary>
    private static readonly int Lanes = Vector512<float>.Count;

    /// <summary>Returns <c>Σ a[i]·b[i]</c> over <paramref name="length"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int length)
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        int i = 0;
        for (; i + (2 * Lanes) <= length; i += 2 * Lanes)
        {
            acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc0);
            acc1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + Lanes), Vector512.Load(b + i + Lanes), acc1);
        }

        float sum = Vector512.Sum(acc0 + acc1);
        for (; i < length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>
    /// <c>centered = x − bias</c>; returns <c>Σ (x − mean)²</c> (the row's share of the FVU denominator).
    /// </summary>
    public static double CenterRow(float* x, float* bias, float* mean, float* centered, int length)
    {
        var acc = Vector512<float>.Zero;
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            var v = Vector512.Load(x + i);
            (v - Vector512.Load(bias + i)).Store(centered + i);
            var dev = v - Vector512.Load(mean + i);
            acc = Vector512.FusedMultiplyAdd(dev, dev, acc);
        }

        double sum = Vector512.Sum(acc);
        for (; i < length; i++)
        {
            centered[i] = x[i] - bias[i];
            double dev = x[i] - mean[i];
            sum += dev * dev;
        }

        return sum;
    }

    /// <summary>
    /// From a decoded row x̂: writes the residual <c>e = x̂ − x</c> to <paramref name="residual"/> and
    /// <c>grad = scale·e</c> to <paramref name="grad"/> (either may alias <paramref name="decoded"/>); returns <c>‖e‖²</c>.
    /// </summary>
    public static double ResidualRow(float* decoded, float* x, float* residual, float* grad, float scale, int length)
    {
        var acc = Vector512<float>.Zero;
        var s = Vector512.Create(scale);
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            var e = Vector512.Load(decoded + i) - Vector512.Load(x + i);
            e.Store(residual + i);
            (s * e).Store(grad + i);
            acc = Vector512.FusedMultiplyAdd(e, e, acc);
        }

        double sum = Vector512.Sum(acc);
        for (; i < length; i++)
        {
            float e = decoded[i] - x[i];
            residual[i] = e;
            grad[i] = scale * e;
            sum += (double)e * e;
        }

        return sum;
    }

    /// <summary>
    /// AuxK row: <c>aux += residual</c> (giving ê − e, since residual = −e); returns (‖ê − e‖², ‖residual − mean‖²).
    /// </summary>
    public static (double Loss, double Variance) AuxResidualRow(float* aux, float* residual, float* mean, int length)
    {
        var lossAcc = Vector512<float>.Zero;
        var varAcc = Vector512<float>.Zero;
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            var r = Vector512.Load(residual + i);
            var diff = Vector512.Load(aux + i) + r;
            diff.Store(aux + i);
            lossAcc = Vector512.FusedMultiplyAdd(diff, diff, lossAcc);
            var dev = r - Vector512.Load(mean + i);
            varAcc = Vector512.FusedMultiplyAdd(dev, dev, varAcc);
        }

        double loss = Vector512.Sum(lossAcc);
        double variance = Vector512.Sum(varAcc);
        for (; i < length; i++)
        {
            float diff = aux[i] + residual[i];
            aux[i] = diff;
            loss += (double)diff * diff;
            double dev = residual[i] - mean[i];
            variance += dev * dev;
        }

        return (loss, variance);
    }

    /// <summary>
    /// <c>output = Σ_e coefficients[e] · source[rows[e]] (+ extra)</c> over rows of width <paramref name="width"/>,
    /// register-blocked 64 floats at a time so the accumulators stay in registers across all rows.
    /// </summary>
    public static void GatherAccumulate(float* output, int* rows, float* coefficients, int count, float* source, int width, float* extra)
    {
        int block = 4 * Lanes;
        int c = 0;
        for (; c + block <= width; c += block)
        {
            Vector512<float> a0, a1, a2, a3;
            if (extra != null)
            {
                a0 = Vector512.Load(extra + c);
                a1 = Vector512.Load(extra + c + Lanes);
                a2 = Vector512.Load(extra + c + (2 * Lanes));
                a3 = Vector512.Load(extra + c + (3 * Lanes));
            }
            else
            {
                a0 = a1 = a2 = a3 = Vector512<float>.Zero;
            }

            for (int e = 0; e < count; e++)
            {
                var w = Vector512.Create(coefficients[e]);
                float* src = source + ((long)rows[e] * width) + c;
                a0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(src), a0);
                a1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(src + Lanes), a1);
                a2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(src + (2 * Lanes)), a2);
                a3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(src + (3 * Lanes)), a3);
            }

            a0.Store(output + c);
            a1.Store(output + c + Lanes);
            a2.Store(output + c + (2 * Lanes));
            a3.Store(output + c + (3 * Lanes));
        }

        for (; c + Lanes <= width; c += Lanes)
        {
            var a0 = extra != null ? Vector512.Load(extra + c) : Vector512<float>.Zero;
            for (int e = 0; e < count; e++)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(coefficients[e]), Vector512.Load(source + ((long)rows[e] * width) + c), a0);
            }

            a0.Store(output + c);
        }

        for (; c < width; c++)
        {
            float sum = extra != null ? extra[c] : 0f;
            for (int e = 0; e < count; e++)
            {
                sum = MathF.FusedMultiplyAdd(coefficients[e], source[((long)rows[e] * width) + c], sum);
            }

            output[c] = sum;
        }
    }

    /// <summary>
    /// <c>block[rows[e]] += coefficients[e] · w</c> for each entry e, over rows of <paramref name="width"/> floats of a
    /// row-major block (the scatter half of a sparse product; w stays in registers for 64-wide blocks).
    /// </summary>
    public static void ScatterAxpy(float* w, int width, float* coefficients, int* rows, int count, float* block)
    {
        if (width != 4 * Lanes)
        {
            for (int e = 0; e < count; e++)
            {
                Axpy(coefficients[e], w, block + ((long)rows[e] * width), width);
            }

            return;
        }

        var w0 = Vector512.Load(w);
        var w1 = Vector512.Load(w + Lanes);
        var w2 = Vector512.Load(w + (2 * Lanes));
        var w3 = Vector512.Load(w + (3 * Lanes));
        for (int e = 0; e < count; e++)
        {
            var c = Vector512.Create(coefficients[e]);
            float* p = block + ((long)rows[e] * width);
            Vector512.FusedMultiplyAdd(c, w0, Vector512.Load(p)).Store(p);
            Vector512.FusedMultiplyAdd(c, w1, Vector512.Load(p + Lanes)).Store(p + Lanes);
            Vector512.FusedMultiplyAdd(c, w2, Vector512.Load(p + (2 * Lanes))).Store(p + (2 * Lanes));
            Vector512.FusedMultiplyAdd(c, w3, Vector512.Load(p + (3 * Lanes))).Store(p + (3 * Lanes));
        }
    }

    /// <summary>
    /// <c>sums[e] += w · block[rows[e]]</c> for each entry e, over rows of <paramref name="width"/> floats of a row-major
    /// block (the gather half of a sparse product; w stays in registers for 64-wide blocks).
    /// </summary>
    public static void GatherDots(float* w, int width, int* rows, int count, float* block, float* sums)
    {
        if (width != 4 * Lanes)
        {
            for (int e = 0; e < count; e++)
            {
                sums[e] += Dot(w, block + ((long)rows[e] * width), width);
            }

            return;
        }

        var w0 = Vector512.Load(w);
        var w1 = Vector512.Load(w + Lanes);
        var w2 = Vector512.Load(w + (2 * Lanes));
        var w3 = Vector512.Load(w + (3 * Lanes));
        for (int e = 0; e < count; e++)
        {
            float* p = block + ((long)rows[e] * width);
            var a = Vector512.FusedMultiplyAdd(w1, Vector512.Load(p + Lanes), w0 * Vector512.Load(p));
            var c = Vector512.FusedMultiplyAdd(w3, Vector512.Load(p + (3 * Lanes)), w2 * Vector512.Load(p + (2 * Lanes)));
            sums[e] += Vector512.Sum(a + c);
        }
    }

    /// <summary><c>y += alpha·x</c> over <paramref name="length"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float alpha, float* x, float* y, int length)
    {
        var a = Vector512.Create(alpha);
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            Vector512.FusedMultiplyAdd(a, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
        }

        for (; i < length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>
    /// <c>maxima[c] = max over rows of block[r, c]</c> for columns <c>[start, end)</c> of a row-major block.
    /// </summary>
    public static void ColumnMaxima(float* block, int rows, int width, int start, int end, float* maxima)
    {
        int span = end - start;
        new Span<float>(maxima + start, span).Fill(float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            float* row = block + ((long)r * width);
            int c = start;
            for (; c + Lanes <= end; c += Lanes)
            {
                Vector512.Max(Vector512.Load(maxima + c), Vector512.Load(row + c)).Store(maxima + c);
            }

            for (; c < end; c++)
            {
                maxima[c] = Math.Max(maxima[c], row[c]);
            }
        }
    }

    /// <summary>
    /// For columns <c>[start, end)</c> of two row-major [rows, width] blocks: zeroes <c>gradient[r, c]</c> where
    /// <c>!(values[r, c] &gt; 0)</c> and adds each column's remaining sum (in row order) to <paramref name="sums"/>.
    /// </summary>
    public static void MaskColumnsAndSum(float* gradient, float* values, int rows, int width, int start, int end, float* sums)
    {
        for (int r = 0; r < rows; r++)
        {
            long o = (long)r * width;
            int c = start;
            for (; c + Lanes <= end; c += Lanes)
            {
                var keep = Vector512.GreaterThan(Vector512.Load(values + o + c), Vector512<float>.Zero);
                var g = Vector512.ConditionalSelect(keep, Vector512.Load(gradient + o + c), Vector512<float>.Zero);
                g.Store(gradient + o + c);
                (Vector512.Load(sums + c) + g).Store(sums + c);
            }

            for (; c < end; c++)
            {
                float g = values[o + c] > 0f ? gradient[o + c] : 0f;
                gradient[o + c] = g;
                sums[c] += g;
            }
        }
    }

    /// <summary>
    /// One Adam step over <paramref name="length"/> parameters, using PyTorch's formula:
    /// <c>p -= stepSize · m / (sqrt(v)/sqrt(bc2) + eps)</c>.
    /// </summary>
    public static void AdamUpdate(
        float* parameter, float* gradient, float* firstMoment, float* secondMoment, int length,
        float beta1, float beta2, float stepSize, float inverseSqrtBiasCorrection2, float epsilon)
    {
        var b1 = Vector512.Create(beta1);
        var b2 = Vector512.Create(beta2);
        var ob1 = Vector512.Create(1f - beta1);
        var ob2 = Vector512.Create(1f - beta2);
        var step = Vector512.Create(stepSize);
        var ibc2 = Vector512.Create(inverseSqrtBiasCorrection2);
        var eps = Vector512.Create(epsilon);
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            var g = Vector512.Load(gradient + i);
            var m = (b1 * Vector512.Load(firstMoment + i)) + (ob1 * g);
            var v = (b2 * Vector512.Load(secondMoment + i)) + (ob2 * (g * g));
            m.Store(firstMoment + i);
            v.Store(secondMoment + i);
            var denominator = (Vector512.Sqrt(v) * ibc2) + eps;
            (Vector512.Load(parameter + i) - (step * (m / denominator))).Store(parameter + i);
        }

        for (; i < length; i++)
        {
            float g = gradient[i];
            float m = (beta1 * firstMoment[i]) + ((1f - beta1) * g);
            float v = (beta2 * secondMoment[i]) + ((1f - beta2) * (g * g));
            firstMoment[i] = m;
            secondMoment[i] = v;
            float denominator = (MathF.Sqrt(v) * inverseSqrtBiasCorrection2) + epsilon;
            parameter[i] -= stepSize * (m / denominator);
        }
    }

    /// <summary>Scales a row to unit L2 norm (rows of norm zero are left unchanged).</summary>
    public static void NormalizeRow(float* row, int width)
    {
        float norm = MathF.Sqrt(Dot(row, row, width));
        if (norm > 0f)
        {
            var s = Vector512.Create(1f / norm);
            int i = 0;
            for (; i + Lanes <= width; i += Lanes)
            {
                (Vector512.Load(row + i) * s).Store(row + i);
            }

            for (; i < width; i++)
            {
                row[i] /= norm;
            }
        }
    }

    /// <summary>True when every value is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        fixed (float* p = values)
        {
            int i = 0;
            var max = Vector512.Create(float.MaxValue);
            for (; i + Lanes <= values.Length; i += Lanes)
            {
                // NaN fails every comparison; |x| <= MaxValue excludes ±Inf.
                if (!Vector512.LessThanOrEqualAll(Vector512.Abs(Vector512.Load(p + i)), max))
                {
                    return false;
                }
            }

            for (; i < values.Length; i++)
            {
                if (!float.IsFinite(p[i]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="body"/> over latent ranges <c>[j0, j1)</c> of <c>[0, count)</c>, one per thread, holding
    /// about equal numbers of entries (<paramref name="offsets"/>: count + 1 prefix sums). Callers must produce results
    /// that do not depend on where the ranges split.
    /// </summary>
    public static void ParallelEntryRanges(int* offsets, int count, Action<int, int> body)
    {
        int threads = Math.Max(1, Math.Min(Environment.ProcessorCount, count));
        var bounds = new int[threads + 1];
        bounds[threads] = count;
        long total = offsets[count];
        for (int t = 1; t < threads; t++)
        {
            long target = total * t / threads;
            int j = bounds[t - 1];
            while (j < count && offsets[j] < target)
            {
                j++;
            }

            bounds[t] = j;
        }

        Parallel.For(0, threads, t => body(bounds[t], bounds[t + 1]));
    }

    /// <summary>
    /// Runs <paramref name="body"/> over <c>[0, count)</c> split into fixed contiguous ranges (never more than the
    /// thread count), so work assignment does not change results.
    /// </summary>
    public static void ParallelRanges(int count, int grain, Action<int, int> body)
    {
        int threads = Math.Max(1, Math.Min(Environment.ProcessorCount, (count + grain - 1) / Math.Max(1, grain)));
        if (threads == 1)
        {
            body(0, count);
            return;
        }

        // Over-partition for balance; each chunk's work is independent of which thread runs it.
        int chunks = Math.Min(count, threads * 8);
        Parallel.For(0, chunks, c =>
        {
            int start = (int)((long)count * c / chunks);
            int end = (int)((long)count * (c + 1) / chunks);
            body(start, end);
        });
    }
}
