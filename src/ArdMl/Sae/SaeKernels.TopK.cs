using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ArdMl.Sae;

/// <summary>
/// Per-row top-k selection of the Top-K SAE: a two-pass threshold for the common case, a heap where the bound is weak,
/// and the selection among given candidates (AuxK's dead latents); ties go to the lower index, in every path.
/// </summary>
internal static unsafe partial class SaeKernels
{
    /// <summary>
    /// Selects the <paramref name="k"/> largest of <c>row + bias</c> (bias optional; ties: lower index first), writing
    /// them in descending order (raw, no ReLU). The row is read twice: the first pass takes lane-wise maxima over
    /// runs of vectors, whose k-th largest is a lower bound of the k-th largest value (k of those maxima are distinct
    /// elements at least that large); the second pass keeps only the values at or above it (about 1.15·k of them),
    /// which are then sorted. Rows where that bound is weak (many ties, NaN) fall back to a heap.
    /// </summary>
    public static void TopKRow(float* row, float* bias, int width, int k, float* outValues, int* outIndices)
    {
        int vectors = width / Lanes;
        int runs = Math.Min(vectors, (4 * k + Lanes - 1) / Lanes);
        if (runs * Lanes < 2 * k || k < 4)
        {
            TopKRowByHeap(row, bias, width, k, outValues, outIndices);
            return;
        }

        var state = _topKScratch;
        if (state is null || state.Maxima.Length < runs * Lanes || state.Keys.Length < CandidateCapacity(k))
        {
            state = _topKScratch = new TopKBuffers(Math.Max(runs * Lanes, 4096), CandidateCapacity(Math.Max(k, 256)));
        }

        fixed (float* maxima = state.Maxima)
        fixed (ulong* keys = state.Keys)
        {
            // Pass 1: lane-wise maxima over `runs` contiguous runs of vectors.
            for (int run = 0; run < runs; run++)
            {
                int first = (int)((long)vectors * run / runs);
                int last = (int)((long)vectors * (run + 1) / runs);
                var max = Vector512.Create(float.NegativeInfinity);
                for (int v = first; v < last; v++)
                {
                    var value = Vector512.Load(row + (v * Lanes));
                    if (bias != null)
                    {
                        value += Vector512.Load(bias + (v * Lanes));
                    }

                    max = Vector512.Max(max, value);
                }

                max.Store(maxima + (run * Lanes));
            }

            float threshold = KthLargest(maxima, runs * Lanes, k);
            if (!float.IsFinite(threshold))
            {
                TopKRowByHeap(row, bias, width, k, outValues, outIndices);
                return;
            }

            // Pass 2: keys of the candidates ≥ threshold, ordered by (value descending, index ascending).
            int capacity = CandidateCapacity(k);
            int count = 0;
            var bound = Vector512.Create(threshold);
            int j = 0;
            for (; j + Lanes <= width; j += Lanes)
            {
                var value = Vector512.Load(row + j);
                if (bias != null)
                {
                    value += Vector512.Load(bias + j);
                }

                ulong mask = Vector512.GreaterThanOrEqual(value, bound).ExtractMostSignificantBits();
                if (mask == 0)
                {
                    continue;
                }

                if (count + Lanes > capacity)
                {
                    TopKRowByHeap(row, bias, width, k, outValues, outIndices);
                    return;
                }

                while (mask != 0)
                {
                    int lane = System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    keys[count++] = DescendingKey(value.GetElement(lane), j + lane);
                }
            }

            for (; j < width; j++)
            {
                float value = bias != null ? row[j] + bias[j] : row[j];
                if (value >= threshold)
                {
                    if (count == capacity)
                    {
                        TopKRowByHeap(row, bias, width, k, outValues, outIndices);
                        return;
                    }

                    keys[count++] = DescendingKey(value, j);
                }
            }

            if (count < k)
            {
                TopKRowByHeap(row, bias, width, k, outValues, outIndices);
                return;
            }

            var sorted = new Span<ulong>(keys, count);
            sorted.Sort();
            for (int i = 0; i < k; i++)
            {
                int index = (int)(uint)sorted[i];
                outIndices[i] = index;
                outValues[i] = bias != null ? row[index] + bias[index] : row[index];
            }
        }
    }

    [ThreadStatic]
    private static TopKBuffers? _topKScratch;

    private static int CandidateCapacity(int k) => (4 * k) + (4 * Lanes);

    /// <summary>
    /// A 64-bit key that sorts ascending by value descending, then index ascending: the value's bits mapped to an
    /// order-preserving unsigned integer, inverted, above the index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DescendingKey(float value, int index)
    {
        if (value == 0f)
        {
            value = 0f; // −0 and +0 tie, as in the comparisons of the heap path.
        }

        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)~ordered << 32) | (uint)index;
    }

    private sealed class TopKBuffers(int maxima, int keys)
    {
        public float[] Maxima { get; } = new float[maxima];

        public ulong[] Keys { get; } = new ulong[keys];
    }

    /// <summary>Heap-based top-k (same contract as <see cref="TopKRow"/>), for small k and rows the filter cannot prune.</summary>
    internal static void TopKRowByHeap(float* row, float* bias, int width, int k, float* outValues, int* outIndices)
    {
        // Min-heap of size k on (value, -index): the root is the weakest kept candidate.
        int j = 0;
        for (; j < k; j++)
        {
            outValues[j] = bias != null ? row[j] + bias[j] : row[j];
            outIndices[j] = j;
            SiftUp(outValues, outIndices, j);
        }

        float threshold = outValues[0];
        for (; j < width && (j % Lanes) != 0; j++)
        {
            float value = bias != null ? row[j] + bias[j] : row[j];
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
            if (value > threshold)
            {
                ReplaceRoot(outValues, outIndices, k, value, j);
                threshold = outValues[0];
            }
        }

        SortDescending(outValues, outIndices, k);
    }

    /// <summary>
    /// Writes, for each candidate latent c (in <paramref name="candidates"/> order), with v = row[i] + bias[i] for
    /// i = candidates[c], max(v, 0) when it is among the <paramref name="k"/> largest candidates (ties: earlier
    /// candidate first) and 0 otherwise. <paramref name="scratch"/> must hold candidateCount floats.
    /// </summary>
    public static void SelectTopAmong(float* row, float* bias, int* candidates, int candidateCount, int k, float* output, float* scratch)
    {
        // One pass: gathered biased values after ReLU, counting the positive ones.
        int positives = 0;
        int c = 0;
        if (Avx2.IsSupported)
        {
            for (; c + 8 <= candidateCount; c += 8)
            {
                var index = Vector256.Load(candidates + c);
                var value = Avx2.GatherVector256(row, index, 4) + Avx2.GatherVector256(bias, index, 4);
                positives += System.Numerics.BitOperations.PopCount(Vector256.GreaterThan(value, Vector256<float>.Zero).ExtractMostSignificantBits());
                Vector256.ConditionalSelect(Vector256.GreaterThan(value, Vector256<float>.Zero), value, Vector256<float>.Zero).Store(output + c);
            }
        }

        for (; c < candidateCount; c++)
        {
            int i = candidates[c];
            float value = row[i] + bias[i];
            positives += value > 0f ? 1 : 0;
            output[c] = value > 0f ? value : 0f;
        }

        // Values ≤ 0 are 0 whether selected or not: when more than k are positive, keep the k largest (ties: earlier
        // candidate first).
        if (k >= positives)
        {
            return;
        }

        int count = 0;
        for (c = 0; c < candidateCount; c++)
        {
            if (output[c] > 0f)
            {
                scratch[count++] = output[c];
            }
        }

        float threshold = KthLargest(scratch, count, k);
        int above = 0;
        for (c = 0; c < candidateCount; c++)
        {
            above += output[c] > threshold ? 1 : 0;
        }

        int equalAllowed = k - above;
        for (c = 0; c < candidateCount; c++)
        {
            float v = output[c];
            if (v < threshold || (v == threshold && equalAllowed-- <= 0))
            {
                output[c] = 0f;
            }
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
}
