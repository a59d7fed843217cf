namespace ArdMl.Tests.Audio;

/// <summary>Deterministic test signals.</summary>
internal static class TestSignals
{
    /// <summary>
    /// Interleaved integer samples of <paramref name="bits"/> bits: per channel a different mix of harmonic tones, a
    /// decaying noise burst and low noise, so that encoders pick a variety of predictors. Channel 2 (if present) is
    /// silent (constant subframes) and channel 3 is full-scale noise (verbatim subframes).
    /// </summary>
    public static int[] Music(int frames, int channels, int bits, int sampleRate = 44100, int seed = 1)
    {
        var samples = new int[frames * channels];
        var max = (1L << (bits - 1)) - 1;
        var min = -(1L << (bits - 1));
        var state = (uint)seed * 2654435761u;
        for (var n = 0; n < frames; n++)
        {
            var t = n / (double)sampleRate;
            for (var c = 0; c < channels; c++)
            {
                state = (state * 1664525) + 1013904223;
                var noise = ((state >> 8) / (double)(1 << 24)) - 0.5;
                double value;
                if (c == 2)
                {
                    value = 0;
                }
                else if (c == 3)
                {
                    value = noise * 1.99;
                }
                else
                {
                    var f = 220.0 * (1 + (0.5 * c)) * (1 + (0.25 * ((int)(t * 4) % 3)));
                    value = (0.45 * Math.Sin(2 * Math.PI * f * t)) + (0.2 * Math.Sin(2 * Math.PI * 3 * f * t) * Math.Exp(-(t % 0.25) * 8))
                        + (0.15 * noise * Math.Exp(-(t % 0.5) * 30)) + (0.003 * noise);
                }

                samples[(n * channels) + c] = (int)Math.Clamp(Math.Round(value * max), min, max);
            }
        }

        return samples;
    }

    /// <summary>A sine of <paramref name="frequency"/> Hz and <paramref name="amplitude"/>.</summary>
    public static float[] Sine(int length, double frequency, int sampleRate, double amplitude = 0.5, double phase = 0)
    {
        var samples = new float[length];
        for (var i = 0; i < length; i++)
        {
            samples[i] = (float)(amplitude * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + phase));
        }

        return samples;
    }

    /// <summary>Amplitude of the <paramref name="frequency"/> component (least-squares fit of a sine and cosine).</summary>
    public static double Amplitude(ReadOnlySpan<float> signal, double frequency, int sampleRate)
    {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (var i = 0; i < signal.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * i / sampleRate;
            var s = Math.Sin(angle);
            var c = Math.Cos(angle);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += signal[i] * s;
            yc += signal[i] * c;
        }

        var determinant = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / determinant;
        var b = ((yc * ss) - (ys * sc)) / determinant;
        return Math.Sqrt((a * a) + (b * b));
    }

    /// <summary>Root mean square.</summary>
    public static double Rms(ReadOnlySpan<float> signal)
    {
        double sum = 0;
        foreach (var v in signal)
        {
            sum += v * (double)v;
        }

        return Math.Sqrt(sum / Math.Max(1, signal.Length));
    }
}
