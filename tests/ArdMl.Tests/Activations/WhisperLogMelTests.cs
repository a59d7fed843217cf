using ArdMl.Audio;

namespace ArdMl.Tests.Activations;

public sealed class WhisperLogMelTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(512)]
    [InlineData(30)]
    [InlineData(14)]
    public void RealFftPowerMatchesDirectDft(int size)
    {
        var random = new Random(size);
        var input = Enumerable.Range(0, size).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var fft = new WhisperLogMelFft(size);
        var power = new float[fft.BinCount];
        fft.PowerSpectrum(input, power, fft.CreateWorkspace());

        for (var k = 0; k <= size / 2; k++)
        {
            double re = 0, im = 0;
            for (var n = 0; n < size; n++)
            {
                var angle = -2 * Math.PI * k * n / size;
                re += input[n] * Math.Cos(angle);
                im += input[n] * Math.Sin(angle);
            }

            power[k].Should().BeApproximately((float)((re * re) + (im * im)), 1e-3f * Math.Max(1f, power[k]), $"bin {k} of a {size}-point FFT");
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(159, 0)]
    [InlineData(160, 1)]
    [InlineData(16000, 100)]
    [InlineData(16159, 100)]
    [InlineData(480000, 3000)]
    public void FrameCountIsSamplesOverHop(int samples, int frames)
    {
        WhisperLogMel.FrameCount(samples).Should().Be(frames);
        WhisperLogMel.Create().Compute(new float[samples], out var computed).Length.Should().Be(80 * frames);
        computed.Should().Be(frames);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(128)]
    public void FilterbankIsSlaneyNormalisedTriangles(int melBins)
    {
        var bank = WhisperLogMelFilterbank.CreateSlaney(16000, 400, melBins);
        bank.FrequencyBins.Should().Be(201);
        bank.BandEdgesHz[0].Should().Be(0);
        bank.BandEdgesHz[^1].Should().BeApproximately(8000, 1e-6);
        var edgesMel = bank.BandEdgesHz.Select(WhisperLogMelFilterbank.HzToMel).ToArray();
        var step = edgesMel[1] - edgesMel[0];
        for (var i = 1; i < edgesMel.Length; i++)
        {
            (edgesMel[i] - edgesMel[i - 1]).Should().BeApproximately(step, 1e-9, "edges are equally spaced in Slaney mel");
        }

        const double BinHz = 40.0;
        for (var m = 0; m < melBins; m++)
        {
            double lower = bank.BandEdgesHz[m], center = bank.BandEdgesHz[m + 1], upper = bank.BandEdgesHz[m + 2];
            var peak = 2.0 / (upper - lower);
            var row = Enumerable.Range(0, bank.FrequencyBins).Select(k => (double)bank.Weight(m, k)).ToArray();
            row.Should().OnlyContain(w => w >= 0 && w <= peak + 1e-7, $"filter {m} is a triangle scaled by 2 / bandwidth");
            for (var k = 0; k < row.Length; k++)
            {
                var hz = k * BinHz;
                if (hz <= lower || hz >= upper)
                {
                    row[k].Should().Be(0, $"filter {m} is zero outside {lower:F1}..{upper:F1} Hz (bin {k})");
                }
                else if (hz <= center)
                {
                    row[k].Should().BeApproximately(peak * (hz - lower) / (center - lower), 1e-6);
                }
                else
                {
                    row[k].Should().BeApproximately(peak * (upper - hz) / (upper - center), 1e-6);
                }
            }

            if (upper - lower > 8 * BinHz)
            {
                // A wide triangle sampled on the 40 Hz grid keeps unit area (the point of norm='slaney').
                (row.Sum() * BinHz).Should().BeApproximately(1.0, 0.05, $"filter {m} has unit area");
            }
        }
    }

    [Fact]
    public void SlaneyMelScaleIsLinearBelowOneKilohertzAndLogAbove()
    {
        WhisperLogMelFilterbank.HzToMel(200.0 / 3.0).Should().BeApproximately(1.0, 1e-12);
        WhisperLogMelFilterbank.HzToMel(1000).Should().BeApproximately(15.0, 1e-12);
        WhisperLogMelFilterbank.HzToMel(6400).Should().BeApproximately(42.0, 1e-9, "27 mel per factor 6.4 above 1 kHz");
        foreach (var hz in new[] { 10.0, 500, 999, 1001, 4000, 8000 })
        {
            WhisperLogMelFilterbank.MelToHz(WhisperLogMelFilterbank.HzToMel(hz)).Should().BeApproximately(hz, 1e-9);
        }
    }

    [Fact]
    public void SilenceMapsToTheFloorAfterScaling()
    {
        var mel = WhisperLogMel.Create().Compute(new float[16000], out _);
        mel.Should().OnlyContain(v => Math.Abs(v - ((-10f + 4f) / 4f)) < 1e-6f, "log10(1e-10) = -10, then (x + 4) / 4");
    }

    [Fact]
    public void ValuesAreClampedToEightLog10UnitsBelowTheMaximum()
    {
        var samples = Tone(1000, 0.5, 16000);
        Array.Clear(samples, 8000, 8000);
        var mel = WhisperLogMel.Create().Compute(samples, out _);
        var max = mel.Max();
        var min = mel.Min();
        (max - min).Should().BeApproximately(2f, 1e-5f, "an 8-unit log10 range becomes 2 after dividing by 4");
        mel.Count(v => Math.Abs(v - min) < 1e-6f).Should().BeGreaterThan(mel.Length / 4, "the silent half sits on the clamp floor");
    }

    [Theory]
    [InlineData(300.0)]
    [InlineData(1000.0)]
    [InlineData(3000.0)]
    public void PureTonePeaksInTheMelBinCentredOnIt(double hz)
    {
        var logMel = WhisperLogMel.Create();
        var mel = logMel.Compute(Tone(hz, 0.5, 16000), out var frames);
        var t = frames / 2;
        var best = Enumerable.Range(0, 80).MaxBy(m => mel[(m * frames) + t]);
        var centers = logMel.Filterbank.BandEdgesHz.Skip(1).Take(80).ToArray();
        var expected = Enumerable.Range(0, 80).MinBy(m => Math.Abs(centers[m] - hz));
        Math.Abs(best - expected).Should().BeLessThanOrEqualTo(1, $"a {hz} Hz tone peaks at the filter centred near it");
        mel[(best * frames) + t].Should().BeApproximately(mel.Max(), 1e-3f, "the tone dominates every frame");
    }

    [Fact]
    public void MatchesAnIndependentDirectComputation()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 3210).Select(i => (float)((0.3 * Math.Sin(i * 0.05)) + (0.1 * ((random.NextDouble() * 2) - 1)))).ToArray();
        var logMel = WhisperLogMel.Create(128);
        var actual = logMel.Compute(samples, out var frames);
        frames.Should().Be(20);

        var expected = new double[128 * frames];
        var padded = new double[samples.Length + 400];
        for (var i = 0; i < padded.Length; i++)
        {
            var j = i - 200;
            j = j < 0 ? -j : j >= samples.Length ? (2 * (samples.Length - 1)) - j : j;
            padded[i] = samples[j];
        }

        for (var t = 0; t < frames; t++)
        {
            var power = new double[201];
            for (var k = 0; k <= 200; k++)
            {
                double re = 0, im = 0;
                for (var n = 0; n < 400; n++)
                {
                    var x = padded[(t * 160) + n] * (0.5 - (0.5 * Math.Cos(2 * Math.PI * n / 400)));
                    re += x * Math.Cos(2 * Math.PI * k * n / 400);
                    im -= x * Math.Sin(2 * Math.PI * k * n / 400);
                }

                power[k] = (re * re) + (im * im);
            }

            for (var m = 0; m < 128; m++)
            {
                var sum = 0.0;
                for (var k = 0; k <= 200; k++)
                {
                    sum += logMel.Filterbank.Weight(m, k) * power[k];
                }

                expected[(m * frames) + t] = Math.Log10(Math.Max(sum, 1e-10));
            }
        }

        var floor = expected.Max() - 8;
        for (var i = 0; i < expected.Length; i++)
        {
            var value = (Math.Max(expected[i], floor) + 4) / 4;
            actual[i].Should().BeApproximately((float)value, 1e-4f, $"value {i} (mel {i / frames}, frame {i % frames})");
        }
    }

    [Fact]
    public void PaddingToThirtySecondsZeroFillsAndTruncates()
    {
        var logMel = WhisperLogMel.Create();
        var tone = Tone(440, 0.5, 16000);
        var padded = logMel.Compute(tone, out var frames, padToFrames: WhisperLogMel.FramesPer30Seconds);
        frames.Should().Be(3000);
        var direct = logMel.Compute(tone.Concat(new float[480000 - 16000]).ToArray(), out _);
        padded.Should().Equal(direct);

        var truncated = logMel.Compute(tone, out var few, padToFrames: 50);
        few.Should().Be(50);
        truncated.Length.Should().Be(80 * 50);
    }

    [Fact]
    public void VeryShortClipsDoNotThrow()
    {
        var logMel = WhisperLogMel.Create();
        logMel.Compute(Tone(440, 0.5, 170), out var frames).Length.Should().Be(80);
        frames.Should().Be(1);
    }

    private static float[] Tone(double hz, double amplitude, int count) =>
        Enumerable.Range(0, count).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / 16000))).ToArray();
}
