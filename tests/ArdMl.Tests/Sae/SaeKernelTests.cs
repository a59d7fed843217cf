using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

public sealed class SaeKernelTests
{
    [Theory]
    [InlineData(1000, 37, false, 0)]
    [InlineData(8192, 32, true, 0)]
    [InlineData(32768, 250, true, 0)]
    [InlineData(1003, 3, true, 0)]
    [InlineData(4096, 64, false, 8)]
    [InlineData(4096, 64, true, 1)]
    public unsafe void TopKRowMatchesTorchTopK(int width, int k, bool withBias, int distinctValues)
    {
        // distinctValues > 0 makes heavy ties (the filter then falls back to the heap where it must).
        var random = new Random(width + k);
        float Next() => distinctValues > 0 ? random.Next(distinctValues) : (float)random.NextDouble();
        var row = Enumerable.Range(0, width).Select(_ => Next()).ToArray();
        var bias = Enumerable.Range(0, width).Select(_ => withBias && distinctValues == 0 ? (float)random.NextDouble() - 0.5f : 0f).ToArray();
        var values = new float[k];
        var indices = new int[k];
        var heapValues = new float[k];
        var heapIndices = new int[k];
        fixed (float* r = row)
        fixed (float* b = bias)
        fixed (float* v = values)
        fixed (int* i = indices)
        fixed (float* hv = heapValues)
        fixed (int* hi = heapIndices)
        {
            SaeKernels.TopKRow(r, withBias ? b : null, width, k, v, i);
            SaeKernels.TopKRowByHeap(r, withBias ? b : null, width, k, hv, hi);
        }

        var biased = row.Zip(bias, (x, y) => withBias ? x + y : x).ToArray();
        using var t = tensor(biased);
        var (tv, ti) = t.topk(k);
        values.Should().Equal(tv.data<float>().ToArray());
        heapValues.Should().Equal(values);
        heapIndices.Should().Equal(indices);
        if (distinctValues == 0)
        {
            indices.Should().Equal(ti.data<long>().ToArray().Select(x => (int)x));
        }
        else
        {
            // Ties: lower index first.
            for (int j = 1; j < k; j++)
            {
                if (values[j] == values[j - 1])
                {
                    indices[j].Should().BeGreaterThan(indices[j - 1]);
                }
            }
        }
    }

    /// <summary>
    /// The fused step (manual gradients, AuxK included) against a straightforward autograd implementation of the same
    /// recipe: FVU + AuxK/32 (aux decode without b_dec, detached residual target), decoder-parallel gradient removed,
    /// Adam, decoder rows renormalised.
    /// </summary>
    /// <remarks>
    /// The second shape spans a full 64-column block plus a narrower one, and silences most dead latents (a very
    /// negative bias) so that the AuxK block is compacted.
    /// </remarks>
    [Theory]
    [InlineData(12, 40, 5, 24, 6, false)]
    [InlineData(80, 150, 6, 40, 10, true)]
    public unsafe void FusedStepMatchesAutogradReference(int d, int m, int k, int batch, int auxK, bool silenceDeadLatents)
    {
        var data = SaeTestData.SparseClips(1, d, 10, 2, seed: 9, minFrames: batch, maxFrames: batch)[0];
        using var fused = new TopKSparseAutoencoder(d, m, k);
        fused.InitializeTied(3);
        using (no_grad())
        {
            fused.DecoderBias.copy_(tensor(Enumerable.Range(0, d).Select(i => 0.1f * i).ToArray()));
            fused.EncoderBias.copy_(tensor(Enumerable.Range(0, m)
                .Select(i => silenceDeadLatents && i % 3 == 0 && i % 4 != 0 ? -100f : 0.01f * (i % 7)).ToArray()));
        }

        using var reference = new TopKSparseAutoencoder(d, m, k);
        reference.CopyWeightsFrom(fused);
        int[] dead = Enumerable.Range(0, m).Where(j => j % 3 == 0).ToArray();

        using var step = new FusedTrainingStep(fused, batch, auxK, 1f / 32, new AdamSettings(0.9f, 0.999f, 1e-8f));
        var refState = reference.parameters().Select(p => (zeros_like(p), zeros_like(p))).ToArray();
        for (int s = 1; s <= 3; s++)
        {
            data.AsSpan().CopyTo(new Span<float>(step.InputPointer, data.Length));
            var figures = step.Run(s, 1e-2f, dead);
            double refFvu = ReferenceStep(reference, refState, data, batch, d, auxK, dead, s, 1e-2f);
            figures.Fvu.Should().BeApproximately(refFvu, 1e-5);
        }

        foreach (var (a, b) in fused.parameters().Zip(reference.parameters()))
        {
            var x = SaeTestData.Weights(a);
            var y = SaeTestData.Weights(b);
            for (int i = 0; i < x.Length; i++)
            {
                x[i].Should().BeApproximately(y[i], 2e-5f);
            }
        }
    }

    private static double ReferenceStep(
        TopKSparseAutoencoder sae, (Tensor M, Tensor V)[] state, float[] data, int batch, int d, int auxK, int[] dead, int t, float lr)
    {
        using var scope = NewDisposeScope();
        var x = tensor(data, [batch, d]);
        var pre = sae.PreActivations(x);
        var (values, indices) = pre.topk(sae.K, dim: 1);
        var z = zeros_like(pre).scatter(1, indices, values.relu());
        var xhat = z.mm(sae.DecoderWeight) + sae.DecoderBias;
        var denom = (x - x.mean([0])).pow(2).sum();
        var fvu = (xhat - x).pow(2).sum() / denom;
        var deadIdx = tensor(dead.Select(i => (long)i).ToArray());
        var preDead = pre.index_select(1, deadIdx);
        var (av, ai) = preDead.topk(Math.Min(auxK, dead.Length), dim: 1);
        var zAux = zeros_like(preDead).scatter(1, ai, av.relu());
        var eHat = zAux.mm(sae.DecoderWeight.index_select(0, deadIdx));
        var e = (x - xhat).detach();
        var auxFvu = (eHat - e).pow(2).sum() / (e - e.mean([0])).pow(2).sum();
        var loss = fvu + (auxFvu / 32);
        sae.zero_grad();
        loss.backward();
        using (no_grad())
        {
            var w = sae.DecoderWeight;
            var g = w.grad!;
            g.sub_((g * w).sum(1, keepdim: true) * w);
            var parameters = sae.parameters().ToArray();
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var grad = p.grad!;
                state[i].M.mul_(0.9).add_(grad * 0.1);
                state[i].V.mul_(0.999).add_(grad * grad * 0.001);
                double bc1 = 1 - Math.Pow(0.9, t);
                double bc2 = 1 - Math.Pow(0.999, t);
                var denominator = (state[i].V.sqrt() / Math.Sqrt(bc2)) + 1e-8;
                p.sub_(state[i].M / denominator * (lr / bc1));
            }

            w.div_(w.norm(1, keepdim: true));
        }

        return fvu.item<float>();
    }
}
