namespace ArdMl.Demo;

/// <summary>Small in-place signal operations used by the demo synthesiser.</summary>
internal static class DemoSignal
{
    public static void RemoveMean(double[] x)
    {
        if (x.Length == 0)
        {
            return;
        }

        var mean = x.Average();
        for (var i = 0; i < x.Length; i++)
        {
            x[i] -= mean;
        }
    }

    public static double Rms(ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += v * v;
        }

        return x.Length == 0 ? 0 : Math.Sqrt(sum / x.Length);
    }

    public static void NormaliseRms(double[] x)
    {
        var rms = Rms(x);
        if (rms < 1e-12)
        {
            return;
        }

        for (var i = 0; i < x.Length; i++)
        {
            x[i] /= rms;
        }
    }

    /// <summary>Linear fade-in and fade-out over <paramref name="fadeSamples"/> samples (shortened for short signals).</summary>
    public static void Fade(double[] x, int fadeSamples)
    {
        var n = Math.Min(fadeSamples, x.Length / 2);
        for (var i = 0; i < n; i++)
        {
            var g = (i + 0.5) / n;
            x[i] *= g;
            x[x.Length - 1 - i] *= g;
        }
    }

    /// <summary>A two-pole resonator (bandpass) at <paramref name="frequency"/> Hz with <paramref name="bandwidth"/> Hz, unity gain at its peak.</summary>
    public static double[] Resonate(double[] x, double frequency, double bandwidth, int sampleRate)
    {
        var r = Math.Exp(-Math.PI * bandwidth / sampleRate);
        var theta = 2 * Math.PI * frequency / sampleRate;
        var a1 = 2 * r * Math.Cos(theta);
        var a2 = -r * r;
        var gain = (1 - r) * Math.Sqrt(1 - (2 * r * Math.Cos(2 * theta)) + (r * r));
        var y = new double[x.Length];
        double y1 = 0, y2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var v = (gain * x[i]) + (a1 * y1) + (a2 * y2);
            y[i] = v;
            y2 = y1;
            y1 = v;
        }

        return y;
    }

    /// <summary>White Gaussian noise.</summary>
    public static double[] WhiteNoise(int length, DemoRandom random)
    {
        var x = new double[length];
        for (var i = 0; i < length; i++)
        {
            x[i] = random.Gaussian();
        }

        return x;
    }
}
