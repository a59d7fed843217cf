using System.Numerics;
using ArdMl.Audio;
using ArdMl.Concepts;
using ArdMl.Demo;

namespace ArdMl.Tests.Demo;

public sealed class DemoCorpusTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ardml-demo-corpus-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void SameSeedWritesByteIdenticalFilesAndAnotherSeedDoesNot()
    {
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        var c = Path.Combine(_root, "c");
        DemoCorpusGenerator.Write(a, new DemoCorpusOptions { ClipCount = 24, Seed = 5 });
        DemoCorpusGenerator.Write(b, new DemoCorpusOptions { ClipCount = 24, Seed = 5 });
        DemoCorpusGenerator.Write(c, new DemoCorpusOptions { ClipCount = 24, Seed = 6 });

        var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        files.Should().HaveCount(24 + 2);
        Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order().Should().Equal(files);
        foreach (var file in files)
        {
            File.ReadAllBytes(Path.Combine(b, file)).Should().Equal(File.ReadAllBytes(Path.Combine(a, file)), file);
        }

        File.ReadAllBytes(Path.Combine(c, "captions.csv")).Should().NotEqual(File.ReadAllBytes(Path.Combine(a, "captions.csv")));
        File.ReadAllBytes(Path.Combine(c, "clips", "demo-00000.wav")).Should().NotEqual(File.ReadAllBytes(Path.Combine(a, "clips", "demo-00000.wav")));
    }

    [Fact]
    public void AClipDependsOnlyOnSeedAndIndex()
    {
        var direct = DemoCorpusGenerator.Generate(11, 17);
        var again = DemoCorpusGenerator.Generate(11, 17);
        again.Samples.Should().Equal(direct.Samples);
        again.Caption.Should().Be(direct.Caption);
        DemoCorpusGenerator.Generate(11, 18).Samples.Should().NotEqual(direct.Samples);
    }

    [Fact]
    public void WrittenCorpusReadsBackWithLabelsCaptionsAndSamples()
    {
        var summary = DemoCorpusGenerator.Write(_root, new DemoCorpusOptions { ClipCount = 40, Seed = 3 });
        var corpus = DemoCorpus.Load(_root);

        corpus.Entries.Should().HaveCount(40);
        summary.LabelCounts.Values.Sum().Should().Be(corpus.Entries.Sum(e => e.Labels.Count));
        for (var i = 0; i < 40; i++)
        {
            var clip = DemoCorpusGenerator.Generate(3, i);
            var entry = corpus.Entries[i];
            entry.FileName.Should().Be(clip.FileName);
            entry.Labels.Should().Equal(clip.Labels);
            entry.Caption.Should().Be(clip.Caption);
            var samples = AudioLoader.LoadMono(entry.Path, 16000);
            samples.Should().HaveCount(clip.Samples.Length);
            samples.Zip(clip.Samples, (x, y) => Math.Abs(x - y)).Max().Should().BeLessThan(1.0f / 32767 + 1e-6f, "16-bit PCM rounding");
        }
    }

    [Fact]
    public void LabelsAndCaptionsAreConsistentWithTheSound()
    {
        var kinds = new HashSet<DemoClipKind>();
        var labels = new HashSet<string>();
        for (var i = 0; i < 160; i++)
        {
            var clip = DemoCorpusGenerator.Generate(42, i);
            kinds.Add(clip.Kind);
            labels.UnionWith(clip.Labels);
            clip.DurationSeconds.Should().BeOneOf(1.0, 1.5, 2.0, 2.5, 3.0);
            clip.Samples.Max(Math.Abs).Should().BeInRange(0.29f, 0.91f);
            clip.Caption.Should().NotBeNullOrWhiteSpace();
            clip.Labels.Should().OnlyContain(l => DemoSoundLabels.All.Contains(l));
            clip.Labels.Select(DemoSoundLabels.IndexOf).Should().BeInAscendingOrder();
            clip.Labels.Should().HaveCount(clip.Kind == DemoClipKind.Mixture ? 2 : 1);
            if (clip.Kind == DemoClipKind.Mixture)
            {
                DemoSoundLabels.FamilyOf(clip.Labels[0]).Should().NotBe(DemoSoundLabels.FamilyOf(clip.Labels[1]));
            }

            foreach (var label in clip.Labels)
            {
                clip.Caption.Should().MatchRegex(CaptionPattern(label), $"clip {i} ({label}) is captioned '{clip.Caption}'");
            }

            if (clip.Kind == DemoClipKind.Bursts)
            {
                clip.Caption.Should().MatchRegex("silence|pauses");
                SilentShare(clip.Samples).Should().BeGreaterThan(0.2, $"clip {i} has bursts separated by silence");
            }
            else if (clip.Labels.Any(l => DemoSoundLabels.FamilyOf(l) != "click"))
            {
                SilentShare(clip.Samples).Should().BeLessThan(0.05, $"clip {i} sounds throughout");
            }
        }

        kinds.Should().HaveCount(3);
        labels.Should().BeEquivalentTo(DemoSoundLabels.All);
    }

    [Fact]
    public void NoiseColoursHaveTheirSpectralSlopes()
    {
        double HighShare(string label)
        {
            var clip = Enumerable.Range(0, 2000).Select(i => DemoCorpusGenerator.Generate(9, i))
                .First(c => c.Kind == DemoClipKind.Single && c.Labels[0] == label);
            return HighFrequencyShare(clip.Samples);
        }

        var white = HighShare(DemoSoundLabels.WhiteNoise);
        var pink = HighShare(DemoSoundLabels.PinkNoise);
        var brown = HighShare(DemoSoundLabels.BrownNoise);
        white.Should().BeInRange(0.4, 0.6, "white noise has half its power above 4 kHz");
        pink.Should().BeLessThan(white / 2);
        brown.Should().BeLessThan(pink / 2);
    }

    [Fact]
    public void ToneCaptionsNameThePitchOfTheTone()
    {
        var tones = Enumerable.Range(0, 200).Select(i => DemoCorpusGenerator.Generate(4, i))
            .Where(c => c.Kind == DemoClipKind.Single && c.Labels[0] == DemoSoundLabels.Tone).ToList();
        tones.Should().NotBeEmpty();
        foreach (var tone in tones)
        {
            var frequency = DominantFrequency(tone.Samples);
            var expected = frequency < 250 ? "low|deep" : frequency < 800 ? "mid|medium|middle" : "high|shrill";
            tone.Caption.Should().MatchRegex(expected, $"the tone is at {frequency:F0} Hz");
        }
    }

    [Fact]
    public void LoadRejectsUnknownLabelsAndMissingClipsNamingTheFile()
    {
        DemoCorpusGenerator.Write(_root, new DemoCorpusOptions { ClipCount = 3, Seed = 1 });
        var labels = Path.Combine(_root, "labels.csv");
        File.WriteAllText(labels, "clip,text\r\ndemo-00000.wav,tone;banjo\r\n");
        var unknown = () => DemoCorpus.Load(_root);
        unknown.Should().Throw<InvalidDataException>().WithMessage("*labels.csv*banjo*");

        File.WriteAllText(labels, "clip,text\r\ndemo-00099.wav,tone\r\n");
        var missing = () => DemoCorpus.Load(_root);
        missing.Should().Throw<FileNotFoundException>().WithMessage("*demo-00099.wav*");

        File.WriteAllText(labels, "clip,text\r\n\"demo-00000.wav,tone\r\n");
        var unclosed = () => DemoCorpus.Load(_root);
        unclosed.Should().Throw<ClipTextFileException>().WithMessage("*labels.csv*line 2*not closed*");

        File.WriteAllText(labels, "clip,text\r\n\"demo-00000.wav\",\"chord\"\r\ndemo-00000.wav,\"white noise;clicks\"\r\n");
        DemoCorpus.Load(_root).Entries.Single().Labels.Should().Equal(DemoSoundLabels.Chord, DemoSoundLabels.WhiteNoise, DemoSoundLabels.Clicks);
    }

    private static string CaptionPattern(string label) => label switch
    {
        DemoSoundLabels.Tone => "tone|beep",
        DemoSoundLabels.Chord => "chord|triad",
        DemoSoundLabels.WhiteNoise => "white noise",
        DemoSoundLabels.PinkNoise => "pink noise",
        DemoSoundLabels.BrownNoise => "brown noise",
        DemoSoundLabels.Clicks => "click",
        DemoSoundLabels.Rhythm => "rhythm|metronome|click track",
        DemoSoundLabels.SweepUp => "rising|upward|sweeping up",
        DemoSoundLabels.SweepDown => "falling|downward|sweeping down",
        DemoSoundLabels.VowelA => "'ah'|'a'",
        DemoSoundLabels.VowelI => "'ee'|'i'",
        DemoSoundLabels.VowelU => "'oo'|'u'",
        DemoSoundLabels.AmTone => "puls|tremolo|loudness wobbles",
        DemoSoundLabels.FmTone => "warbl|vibrato",
        _ => throw new ArgumentException(label),
    };

    /// <summary>Share of 10 ms blocks whose peak is below 1e-3.</summary>
    private static double SilentShare(float[] samples)
    {
        var blocks = samples.Chunk(160).ToList();
        return blocks.Count(b => b.Max(Math.Abs) < 1e-3f) / (double)blocks.Count;
    }

    private static double[] PowerSpectrum(float[] samples, int size)
    {
        var power = new double[(size / 2) + 1];
        for (var start = 0; start + size <= samples.Length; start += size)
        {
            var spectrum = new Complex[size];
            for (var i = 0; i < size; i++)
            {
                spectrum[i] = samples[start + i] * (0.5 - (0.5 * Math.Cos(2 * Math.PI * i / size)));
            }

            Fft(spectrum);
            for (var k = 0; k < power.Length; k++)
            {
                power[k] += spectrum[k].Magnitude * spectrum[k].Magnitude;
            }
        }

        return power;
    }

    private static double HighFrequencyShare(float[] samples)
    {
        var power = PowerSpectrum(samples, 1024);
        return power.Skip(power.Length / 2).Sum() / power.Sum();
    }

    private static double DominantFrequency(float[] samples)
    {
        var power = PowerSpectrum(samples, 8192);
        var best = Array.IndexOf(power, power.Max());
        return best * 16000.0 / 8192;
    }

    private static void Fft(Complex[] x)
    {
        var n = x.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (x[i], x[j]) = (x[j], x[i]);
            }
        }

        for (var length = 2; length <= n; length <<= 1)
        {
            var w = Complex.FromPolarCoordinates(1, -2 * Math.PI / length);
            for (var i = 0; i < n; i += length)
            {
                var wk = Complex.One;
                for (var k = 0; k < length / 2; k++)
                {
                    var u = x[i + k];
                    var v = x[i + k + (length / 2)] * wk;
                    x[i + k] = u + v;
                    x[i + k + (length / 2)] = u - v;
                    wk *= w;
                }
            }
        }
    }
}
