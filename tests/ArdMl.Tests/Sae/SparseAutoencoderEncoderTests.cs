using ArdMl.Concepts;
using ArdMl.Sae;
using static TorchSharp.torch;

namespace ArdMl.Tests.Sae;

public sealed class SparseAutoencoderEncoderTests
{
    [Fact]
    public void StatisticsMatchTorchReference()
    {
        int d = 10;
        int m = 50;
        int k = 4;
        using var sae = new TopKSparseAutoencoder(d, m, k);
        sae.InitializeTied(5);
        using (no_grad())
        {
            sae.EncoderBias.copy_(randn(m, generator: new Generator(4)) * 0.5);
        }

        var frames = SaeTestData.SparseClips(1, d, 8, 2, seed: 6, minFrames: 37, maxFrames: 37)[0];
        using var encoder = new SparseAutoencoderEncoder(sae, batchFrames: 16);
        var stats = encoder.ComputeStatistics(frames, ClipMeanMode.AllFrames, includeCodes: true);
        var active = encoder.ComputeStatistics(frames, ClipMeanMode.ActiveFrames);

        var (values, indices) = sae.Encode(tensor(frames, [37, d]));
        var v = values.data<float>().ToArray();
        var ix = indices.data<long>().ToArray();
        // The encoder's GEMM runs in batches of 16 frames, torch's over all 37: the BLAS may round the last bit
        // differently for different row counts, so values match to float precision, indices exactly.
        stats.Codes!.Values.Should().Equal(v, (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1f, Math.Abs(b)));
        stats.Codes.Indices.Should().Equal(ix.Select(i => (int)i));
        var sum = new double[m];
        var count = new double[m];
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] > 0)
            {
                sum[ix[i]] += v[i];
                count[ix[i]]++;
            }
        }

        for (int j = 0; j < m; j++)
        {
            stats.MeanActivation[j].Should().BeApproximately((float)(sum[j] / 37), 1e-5f);
            stats.Coverage[j].Should().BeApproximately((float)(count[j] / 37), 1e-6f);
            active.MeanActivation[j].Should().BeApproximately(count[j] > 0 ? (float)(sum[j] / count[j]) : 0f, 1e-5f);
        }

        stats.Coverage.Sum().Should().BeGreaterThan(0);
    }

    [Fact]
    public void RejectsBadFramesAndHandlesEmptyClips()
    {
        using var sae = new TopKSparseAutoencoder(4, 8, 2);
        sae.InitializeTied(1);
        using var encoder = new SparseAutoencoderEncoder(sae);
        FluentActions.Invoking(() => encoder.ComputeStatistics(new float[6])).Should().Throw<ArgumentException>().WithMessage("*d = 4*");
        var nan = new float[8];
        nan[5] = float.PositiveInfinity;
        FluentActions.Invoking(() => encoder.ComputeStatistics(nan)).Should().Throw<ArgumentException>().WithMessage("*Frame 1*");
        var empty = encoder.ComputeStatistics([]);
        empty.FrameCount.Should().Be(0);
        empty.Coverage.Should().OnlyContain(c => c == 0);
        FluentActions.Invoking(() => new TopKSparseAutoencoder(4, 8, 8)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
