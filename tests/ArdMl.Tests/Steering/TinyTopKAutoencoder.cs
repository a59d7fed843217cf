using ArdMl.Steering;

namespace ArdMl.Tests.Steering;

/// <summary>
/// A small dense Top-K SAE (x → ReLU(top-k of W_enc (x − b_dec) + b_enc) → Σ z W_dec + b_dec) with seeded random
/// weights, implementing <see cref="ISteerableAutoencoder"/> the way the real SAE does, for exact steering checks.
/// </summary>
internal sealed class TinyTopKAutoencoder : ISteerableAutoencoder
{
    private readonly float[] _encoder;
    private readonly float[] _encoderBias;
    private readonly float[] _decoder;
    private readonly float[] _decoderBias;
    private readonly int _k;

    public TinyTopKAutoencoder(int d, int m, int k, int seed)
    {
        var random = new Random(seed);
        InputDim = d;
        LatentCount = m;
        _k = k;
        _decoder = [.. Enumerable.Range(0, m * d).Select(_ => (float)(random.NextDouble() - 0.5))];
        _encoder = [.. _decoder];
        _encoderBias = [.. Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() * 0.1))];
        _decoderBias = [.. Enumerable.Range(0, d).Select(_ => (float)(random.NextDouble() - 0.5))];
    }

    public int InputDim { get; }

    public int LatentCount { get; }

    public float[] DecoderRow(int latent) => _decoder.AsSpan(latent * InputDim, InputDim).ToArray();

    public LatentCodes Encode(ReadOnlySpan<float> frames)
    {
        int n = frames.Length / InputDim;
        var values = new float[n * _k];
        var indices = new int[n * _k];
        for (int f = 0; f < n; f++)
        {
            var pre = new double[LatentCount];
            for (int j = 0; j < LatentCount; j++)
            {
                double sum = _encoderBias[j];
                for (int i = 0; i < InputDim; i++)
                {
                    sum += _encoder[(j * InputDim) + i] * (frames[(f * InputDim) + i] - _decoderBias[i]);
                }

                pre[j] = sum;
            }

            var top = Enumerable.Range(0, LatentCount).OrderByDescending(j => pre[j]).ThenBy(j => j).Take(_k).ToArray();
            for (int s = 0; s < _k; s++)
            {
                values[(f * _k) + s] = (float)Math.Max(0, pre[top[s]]);
                indices[(f * _k) + s] = top[s];
            }
        }

        return new LatentCodes(n, _k, values, indices);
    }

    public float[] Decode(LatentCodes codes)
    {
        var frames = new float[codes.FrameCount * InputDim];
        for (int f = 0; f < codes.FrameCount; f++)
        {
            for (int i = 0; i < InputDim; i++)
            {
                double sum = _decoderBias[i];
                for (int s = 0; s < codes.Width; s++)
                {
                    int slot = (f * codes.Width) + s;
                    sum += codes.Values[slot] * (double)_decoder[(codes.Indices[slot] * InputDim) + i];
                }

                frames[(f * InputDim) + i] = (float)sum;
            }
        }

        return frames;
    }
}
