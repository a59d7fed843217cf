using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArdMl.Sae;

/// <summary>
/// Hand-written CPU kernels for the Top-K SAE: per-row top-k selection (optionally fused with the AuxK selection among
/// dead latents), sparse decode (a weighted sum of k decoder rows), gathered dot products and fused per-latent
/// gradient accumulation. Every reduction runs in a fixed order, so results do not depend on the thread count.
/// </summary>
internal static unsafe class SaeKernels
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
    /// Turns a decoded row into the residual <c>e = x̂ − x</c> (in place) and writes <c>grad = scale·e</c>; returns
    /// <c>‖e‖²</c>.
    /// </summary>
    public static double ResidualRow(float* decoded, float* x, float* grad, float scale, int length)
    {
        var acc = Vector512<float>.Zero;
        var s = Vector512.Create(scale);
        int i = 0;
        for (; i + Lanes <= length; i += Lanes)
        {
            var e = Vector512.Load(decoded + i) - Vector512.Load(x + i);
            e.Store(decoded + i);
            (s * e).Store(grad + i);
            acc = Vector512.FusedMultiplyAdd(e, e, acc);
        }

        double sum = Vector512.Sum(acc);
        for (; i < length; i++)
        {
            float e = decoded[i] - x[i];
            decoded[i] = e;
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
    /// Selects the <paramref name="k"/> largest of <c>row + bias</c> (bias optional; ties: lower index first), writing
    /// them in descending order (raw, no ReLU). With <paramref name="storeBiased"/> the biased values are written
    /// back into <paramref name="row"/>.
    /// </summary>
    public static void TopKRow(float* row, float* bias, bool storeBiased, int width, int k, float* outValues, int* outIndices)
    {
        // Min-heap of size k on (value, -index): the root is the weakest kept candidate.
        int j = 0;
        for (; j < k; j++)
        {
            float value = bias != null ? row[j] + bias[j] : row[j];
            if (storeBiased)
            {
                row[j] = value;
            }

            outValues[j] = value;
            outIndices[j] = j;
            SiftUp(outValues, outIndices, j);
        }

        float threshold = outValues[0];
        for (; j < width && (j % Lanes) != 0; j++)
        {
            float value = bias != null ? row[j] + bias[j] : row[j];
            if (storeBiased)
            {
                row[j] = value;
            }

            if (value > threshold)
            {
                ReplaceRoot(outValues, outIndices, k, value, j);
                threshold = outValues[0];
            }
        }

        var thresholdVector = Vector512.Create(threshold);
        for (; j + Lanes <= width; j += Lanes)
        {
            var v = Vector512.Load(row + j);
            if (bias != null)
            {
                v += Vector512.Load(bias + j);
                if (storeBiased)
                {
                    v.Store(row + j);
                }
            }

            var mask = Vector512.GreaterThan(v, thresholdVector).ExtractMostSignificantBits();
            if (mask == 0)
            {
                continue;
            }

            while (mask != 0)
            {
                int lane = System.Numerics.BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                float value = v.GetElement(lane);
                if (value > threshold)
                {
                    ReplaceRoot(outValues, outIndices, k, value, j + lane);
                    threshold = outValues[0];
                }
            }

            thresholdVector = Vector512.Create(threshold);
        }

        for (; j < width; j++)
        {
            float value = bias != null ? row[j] + bias[j] : row[j];
            if (storeBiased)
            {
                row[j] = value;
            }

            if (value > threshold)
            {
                ReplaceRoot(outValues, outIndices, k, value, j);
                threshold = outValues[0];
            }
        }

        SortDescending(outValues, outIndices, k);
    }

    /// <summary>
    /// Writes, for each candidate latent c (in <paramref name="candidates"/> order), max(row[candidates[c]], 0) when
    /// it is among the <paramref name="k"/> largest candidates (ties: earlier candidate first) and 0 otherwise.
    /// <paramref name="scratch"/> must hold candidateCount floats.
    /// </summary>
    public static void SelectTopAmong(float* row, int* candidates, int candidateCount, int k, float* output, float* scratch)
    {
        for (int c = 0; c < candidateCount; c++)
        {
            output[c] = row[candidates[c]];
        }

        // Values ≤ 0 become 0 after ReLU whether selected or not: select among the positive values only.
        int positives = 0;
        for (int c = 0; c < candidateCount; c++)
        {
            if (output[c] > 0f)
            {
                scratch[positives++] = output[c];
            }
        }

        if (k < positives)
        {
            float threshold = KthLargest(scratch, positives, k);
            int above = 0;
            for (int c = 0; c < candidateCount; c++)
            {
                if (output[c] > threshold)
                {
                    above++;
                }
            }

            int equalAllowed = k - above;
            for (int c = 0; c < candidateCount; c++)
            {
                float v = output[c];
                if (v < threshold || (v == threshold && equalAllowed-- <= 0))
                {
                    output[c] = 0f;
                }
            }
        }

        for (int c = 0; c < candidateCount; c++)
        {
            output[c] = Math.Max(output[c], 0f);
        }
    }

    /// <summary>The k-th largest of <paramref name="values"/> (1-based k); reorders the array (quickselect).</summary>
    private static float KthLargest(float* values, int count, int k)
    {
        int target = count - k; // index in ascending order
        int lo = 0;
        int hi = count - 1;
        while (lo < hi)
        {
            float pivot = Median3(values[lo], values[lo + ((hi - lo) >> 1)], values[hi]);
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (target <= j)
            {
                hi = j;
            }
            else if (target >= i)
            {
                lo = i;
            }
            else
            {
                return values[target];
            }
        }

        return values[target];
    }

    private static float Median3(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Weaker(float va, int ia, float vb, int ib) => va < vb || (va == vb && ia > ib);

    private static void SiftUp(float* values, int* indices, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Weaker(values[i], indices[i], values[parent], indices[parent]))
            {
                break;
            }

            (values[i], values[parent]) = (values[parent], values[i]);
            (indices[i], indices[parent]) = (indices[parent], indices[i]);
            i = parent;
        }
    }

    private static void ReplaceRoot(float* values, int* indices, int k, float value, int index)
    {
        int i = 0;
        while (true)
        {
            int left = (2 * i) + 1;
            if (left >= k)
            {
                break;
            }

            int right = left + 1;
            int weakest = left;
            if (right < k && Weaker(values[right], indices[right], values[left], indices[left]))
            {
                weakest = right;
            }

            if (!Weaker(values[weakest], indices[weakest], value, index))
            {
                break;
            }

            values[i] = values[weakest];
            indices[i] = indices[weakest];
            i = weakest;
        }

        values[i] = value;
        indices[i] = index;
    }

    private static void SortDescending(float* values, int* indices, int k)
    {
        // Insertion sort: k is small for the main top-k.
        for (int i = 1; i < k; i++)
        {
            float v = values[i];
            int ix = indices[i];
            int j = i - 1;
            while (j >= 0 && Weaker(values[j], indices[j], v, ix))
            {
                values[j + 1] = values[j];
                indices[j + 1] = indices[j];
                j--;
            }

            values[j + 1] = v;
            indices[j + 1] = ix;
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
