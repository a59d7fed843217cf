namespace ArdMl.Demo;

/// <summary>
/// The demo corpus's random choices: one <see cref="DeterministicRandom"/> stream per seed and stream number (for
/// example a clip index), so the corpus is the same on every runtime and platform.
/// </summary>
internal sealed class DemoRandom
{
    private readonly DeterministicRandom _bits;

    /// <summary>A generator for one stream, derived from a seed and a stream number (for example a clip index).</summary>
    public DemoRandom(long seed, long stream = 0)
    {
        _bits = new DeterministicRandom(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)stream + 0x632BE59BD9B4E019UL)));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits() => _bits.NextUInt64();

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => _bits.NextDouble();

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Log-uniform in [min, max) (both positive): equal chances per octave.</summary>
    public double LogUniform(double min, double max) => Math.Exp(Uniform(Math.Log(min), Math.Log(max)));

    /// <summary>Uniform integer in [0, count).</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)((NextBits() >> 33) % (ulong)count);
    }

    /// <summary>One element chosen uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A standard normal value (Box–Muller).</summary>
    public double Gaussian() => _bits.NextGaussian();
}
