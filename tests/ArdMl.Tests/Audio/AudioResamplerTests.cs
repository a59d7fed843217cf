using ArdMl.Audio;

namespace ArdMl.Tests.Audio;

public sealed class AudioResamplerTests
{
    [Theory]
    [InlineData(44100, 16000, 1000.0)]
    [InlineData(44100, 16000, 7000.0)]
    [InlineData(48000, 16000, 3000.0)]
    [InlineData(22050, 16000, 5000.0)]
    [InlineData(8000, 16000, 1000.0)]
    [InlineData(11025, 16000, 3500.0)]
    [InlineData(44100, 16001, 2000.0)] // 16001/44100 has no small ratio: interpolated phases
    public void SineKeepsFrequencyAndAmplitude(int inputRate, int outputRate, double frequency)
    {
        var input = TestSignals.Sine(inputRate, frequency, inputRate, amplitude: 0.5);
        var output = AudioResampler.Resample(input, inputRate, outputRate);

        var middle = output.AsSpan(output.Length / 10, output.Length * 8 / 10);
        var amplitude = TestSignals.Amplitude(middle, frequency, outputRate);
        amplitude.Should().BeApproximately(0.5, 0.5 * 0.002, "the passband is flat within 0.02 dB");

        // Nothing but that sine: the residual after removing the fitted component is at least 70 dB down.
        var residual = Residual(middle, frequency, outputRate);
        (20 * Math.Log10(TestSignals.Rms(residual) / (0.5 / Math.Sqrt(2)))).Should().BeLessThan(-70);
    }

    [Theory]
    [InlineData(44100, 16000, 10000.0)]
    [InlineData(44100, 16000, 8500.0)]
    [InlineData(48000, 16000, 15000.0)]
    [InlineData(44100, 16001, 12000.0)]
    public void FrequenciesAboveTheOutputNyquistAreRejected(int inputRate, int outputRate, double frequency)
    {
        var input = TestSignals.Sine(inputRate, frequency, inputRate, amplitude: 0.5);
        var output = AudioResampler.Resample(input, inputRate, outputRate);
        var middle = output.AsSpan(output.Length / 10, output.Length * 8 / 10);
        var level = 20 * Math.Log10(TestSignals.Rms(middle) / (0.5 / Math.Sqrt(2)));
        level.Should().BeLessThan(-85, "the stopband starts at the output Nyquist frequency with 90 dB attenuation");
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 16000)]
    [InlineData(22050, 16000)]
    public void StopbandAttenuationIsAtLeast90Db(int inputRate, int outputRate)
    {
        // Tones from the output Nyquist frequency (where the stopband starts) up to just below the input Nyquist.
        var nyquist = outputRate / 2.0;
        var worst = double.NegativeInfinity;
        for (var frequency = nyquist; frequency < inputRate / 2.0; frequency += frequency < nyquist * 1.2 ? 50 : 700)
        {
            var input = TestSignals.Sine(inputRate / 2, frequency, inputRate, amplitude: 0.5);
            var output = AudioResampler.Resample(input, inputRate, outputRate);
            var middle = output.AsSpan(output.Length / 5, output.Length * 3 / 5);
            worst = Math.Max(worst, 20 * Math.Log10(TestSignals.Rms(middle) / (0.5 / Math.Sqrt(2))));
        }

        worst.Should().BeLessThan(-90, "the Kaiser design gives 90 dB from the output Nyquist frequency on");
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 16000)]
    [InlineData(8000, 16000)]
    [InlineData(22050, 16000)]
    public void EveryOutputIsTheSameWhereverItFallsInABlock(int inputRate, int outputRate)
    {
        // Prepending k whole periods of the rate ratio (inputRate / g samples, g = gcd) delays the output by exactly
        // k x outputRate / g samples with identical filter windows, so the edge, block and remainder paths must agree.
        var gcd = (int)System.Numerics.BigInteger.GreatestCommonDivisor(inputRate, outputRate);
        var random = new Random(7);
        var signal = Enumerable.Range(0, (inputRate * 3 / 2) + 123).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var expected = AudioResampler.Resample(signal, inputRate, outputRate);
        foreach (var periods in new[] { 1, 3, 10 })
        {
            var delayed = new float[(periods * inputRate / gcd) + signal.Length];
            signal.CopyTo(delayed, periods * inputRate / gcd);
            var output = AudioResampler.Resample(delayed, inputRate, outputRate);
            output.AsSpan(periods * outputRate / gcd).ToArray().Should().Equal(expected);
        }
    }

    [Theory]
    [InlineData(0, 44100, 16000)]
    [InlineData(1, 44100, 16000)]
    [InlineData(12345, 44100, 16000)]
    [InlineData(999, 8000, 16000)]
    [InlineData(1001, 48000, 16000)]
    [InlineData(777, 22050, 16000)]
    [InlineData(5000, 44100, 16001)]
    [InlineData(3, 16000, 44100)]
    public void LengthIsRoundedRatio(int length, int inputRate, int outputRate)
    {
        var output = AudioResampler.Resample(new float[length], inputRate, outputRate);
        output.Length.Should().Be((int)Math.Round(length * (double)outputRate / inputRate, MidpointRounding.AwayFromZero));
    }

    [Fact]
    public void DcIsPreservedAndEqualRatesCopy()
    {
        var dc = Enumerable.Repeat(0.25f, 44100).ToArray();
        var output = AudioResampler.Resample(dc, 44100, 16000);
        output.AsSpan(500, output.Length - 1000).ToArray().Should().OnlyContain(v => Math.Abs(v - 0.25f) < 1e-5);
        AudioResampler.Resample(dc, 16000, 16000).Should().Equal(dc);
    }

    private static float[] Residual(ReadOnlySpan<float> signal, double frequency, int rate)
    {
        // least-squares sine/cosine fit, subtracted
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (var i = 0; i < signal.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * i / rate;
            double s = Math.Sin(angle), c = Math.Cos(angle);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += signal[i] * s;
            yc += signal[i] * c;
        }

        var det = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / det;
        var b = ((yc * ss) - (ys * sc)) / det;
        var residual = new float[signal.Length];
        for (var i = 0; i < signal.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * i / rate;
            residual[i] = (float)(signal[i] - (a * Math.Sin(angle)) - (b * Math.Cos(angle)));
        }

        return residual;
    }
}
