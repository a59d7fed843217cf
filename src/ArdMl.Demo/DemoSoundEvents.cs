namespace ArdMl.Demo;

/// <summary>Creates a random <see cref="DemoSoundEvent"/> of a given label: parameters, caption phrase and renderer.</summary>
internal static class DemoSoundEvents
{
    private const int Rate = DemoCorpusGenerator.SampleRate;

    // Formants (F1, F2, F3 in Hz) of the three vowels, typical adult values.
    private static readonly double[] FormantsA = [730, 1090, 2440];
    private static readonly double[] FormantsI = [270, 2290, 3010];
    private static readonly double[] FormantsU = [300, 870, 2240];

    public static DemoSoundEvent Create(string label, DemoRandom random) => label switch
    {
        DemoSoundLabels.Tone => Tone(random),
        DemoSoundLabels.Chord => Chord(random),
        DemoSoundLabels.WhiteNoise => Noise(label, random),
        DemoSoundLabels.PinkNoise => Noise(label, random),
        DemoSoundLabels.BrownNoise => Noise(label, random),
        DemoSoundLabels.Clicks => Clicks(random),
        DemoSoundLabels.Rhythm => Rhythm(random),
        DemoSoundLabels.SweepUp => Sweep(label, up: true, random),
        DemoSoundLabels.SweepDown => Sweep(label, up: false, random),
        DemoSoundLabels.VowelA => Vowel(label, FormantsA, random),
        DemoSoundLabels.VowelI => Vowel(label, FormantsI, random),
        DemoSoundLabels.VowelU => Vowel(label, FormantsU, random),
        DemoSoundLabels.AmTone => AmTone(random),
        DemoSoundLabels.FmTone => FmTone(random),
        _ => throw new ArgumentException($"'{label}' is not a demo corpus label.", nameof(label)),
    };

    private static string PitchWord(double frequency, DemoRandom random) => frequency switch
    {
        < 250 => random.Pick(["low pitched", "deep", "low"]),
        < 800 => random.Pick(["mid pitched", "medium pitched", "middle"]),
        _ => random.Pick(["high pitched", "shrill", "high"]),
    };

    private static string Article(string word) => "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static string WithArticle(string phrase) => $"{Article(phrase)} {phrase}";

    private static DemoSoundEvent Tone(DemoRandom random)
    {
        var frequency = random.LogUniform(110, 3000);
        var pitch = PitchWord(frequency, random);
        var noun = random.Pick(["steady tone", "pure tone", "sine tone", "constant tone", "steady beep"]);
        return new DemoSoundEvent(DemoSoundLabels.Tone, WithArticle($"{pitch} {noun}"), (n, _) =>
        {
            var x = new double[n];
            for (var i = 0; i < n; i++)
            {
                x[i] = Math.Sin(2 * Math.PI * frequency * i / Rate);
            }

            return x;
        });
    }

    private static DemoSoundEvent Chord(DemoRandom random)
    {
        var root = random.LogUniform(130, 520);
        var major = random.Chance(0.5);
        double[] semitones = major ? [0, 4, 7] : [0, 3, 7];
        var quality = major ? random.Pick(["major", "bright major", "happy sounding major"]) : random.Pick(["minor", "dark minor", "sad sounding minor"]);
        var register = root < 260 ? random.Pick(["low ", "", "warm "]) : random.Pick(["high ", "", "bright "]);
        var noun = random.Pick(["chord", "triad", "chord of pure tones"]);
        var phrase = WithArticle($"{(quality.StartsWith("bright", StringComparison.Ordinal) ? "" : register)}{quality} {noun}");
        return new DemoSoundEvent(DemoSoundLabels.Chord, phrase, (n, _) =>
        {
            var x = new double[n];
            foreach (var s in semitones)
            {
                var f = root * Math.Pow(2, s / 12.0);
                for (var i = 0; i < n; i++)
                {
                    x[i] += Math.Sin(2 * Math.PI * f * i / Rate);
                }
            }

            return x;
        });
    }

    private static DemoSoundEvent Noise(string label, DemoRandom random)
    {
        var phrase = label switch
        {
            DemoSoundLabels.WhiteNoise => random.Pick(["white noise", "a hiss of white noise", "bright white noise hiss", "static like white noise"]),
            DemoSoundLabels.PinkNoise => random.Pick(["pink noise", "soft pink noise", "pink noise like steady rain", "a wash of pink noise"]),
            _ => random.Pick(["brown noise", "deep rumbling brown noise", "a low rumble of brown noise", "muffled brown noise"]),
        };
        return new DemoSoundEvent(label, phrase, (n, r) => label switch
        {
            DemoSoundLabels.WhiteNoise => DemoSignal.WhiteNoise(n, r),
            DemoSoundLabels.PinkNoise => Pink(DemoSignal.WhiteNoise(n, r)),
            _ => Brown(DemoSignal.WhiteNoise(n, r)),
        });
    }

    /// <summary>Pink (1/f) noise: white noise through a sum of one-pole low-pass sections (Kellet's economy filter).</summary>
    private static double[] Pink(double[] white)
    {
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        var y = new double[white.Length];
        for (var i = 0; i < white.Length; i++)
        {
            var w = white[i];
            b0 = (0.99886 * b0) + (w * 0.0555179);
            b1 = (0.99332 * b1) + (w * 0.0750759);
            b2 = (0.96900 * b2) + (w * 0.1538520);
            b3 = (0.86650 * b3) + (w * 0.3104856);
            b4 = (0.55000 * b4) + (w * 0.5329522);
            b5 = (-0.7616 * b5) - (w * 0.0168980);
            y[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + (w * 0.5362);
            b6 = w * 0.115926;
        }

        return y;
    }

    /// <summary>Brown (1/f²) noise: leaky integration of white noise.</summary>
    private static double[] Brown(double[] white)
    {
        var y = new double[white.Length];
        var state = 0.0;
        for (var i = 0; i < white.Length; i++)
        {
            state = (0.997 * state) + (0.05 * white[i]);
            y[i] = state;
        }

        return y;
    }

    /// <summary>A click: a 4 ms exponentially decaying noise burst added at <paramref name="start"/>.</summary>
    private static void AddClick(double[] x, int start, double amplitude, DemoRandom random)
    {
        var length = Rate / 250;
        for (var i = 0; i < length && start + i < x.Length; i++)
        {
            x[start + i] += amplitude * random.Gaussian() * Math.Exp(-i / (length / 5.0));
        }
    }

    private static DemoSoundEvent Clicks(DemoRandom random)
    {
        var rate = random.Uniform(3, 14);
        var phrase = rate < 7
            ? random.Pick(["sparse random clicks", "a few irregular clicks", "occasional random clicking"])
            : random.Pick(["busy irregular clicks", "random crackling clicks", "dense irregular clicking"]);
        return new DemoSoundEvent(DemoSoundLabels.Clicks, phrase, (n, r) =>
        {
            var x = new double[n];
            var t = r.Uniform(0, 0.5 / rate);
            while (t * Rate < n)
            {
                AddClick(x, (int)(t * Rate), r.Uniform(0.4, 1.0), r);
                t += -Math.Log(1 - r.NextDouble()) / rate + 0.02;
            }

            return x;
        });
    }

    private static DemoSoundEvent Rhythm(DemoRandom random)
    {
        var bpm = Math.Round(random.Uniform(70, 260));
        var accent = random.Chance(0.5);
        var speed = bpm switch
        {
            < 120 => random.Pick(["slow", "relaxed", "slow steady"]),
            < 180 => random.Pick(["moderate", "medium tempo", "walking pace"]),
            _ => random.Pick(["fast", "rapid", "quick"]),
        };
        var phrase = random.Next(3) switch
        {
            0 => WithArticle($"{speed} regular click rhythm"),
            1 => $"{Article(speed)} {speed} ticking like a metronome at {bpm} beats per minute",
            _ => WithArticle($"{speed} {(accent ? "accented " : "")}click track"),
        };
        return new DemoSoundEvent(DemoSoundLabels.Rhythm, phrase, (n, r) =>
        {
            var x = new double[n];
            var interval = 60.0 / bpm * Rate;
            var beat = 0;
            for (var t = Rate * 0.01; t < n; t += interval, beat++)
            {
                AddClick(x, (int)t, accent && beat % 4 == 0 ? 1.0 : 0.6, r);
            }

            return x;
        });
    }

    private static DemoSoundEvent Sweep(string label, bool up, DemoRandom random)
    {
        var low = random.LogUniform(150, 600);
        var high = random.LogUniform(2000, 6000);
        var repeats = random.Chance(0.3) ? 2 : 1;
        var phrase = up
            ? random.Pick(["a rising sweep", "an upward chirp", "a tone sweeping up in pitch", "a rising whistle"])
            : random.Pick(["a falling sweep", "a downward chirp", "a tone sweeping down in pitch", "a falling whistle"]);
        if (repeats == 2)
        {
            phrase = up ? "two quick rising chirps" : "two quick falling chirps";
        }

        return new DemoSoundEvent(label, phrase, (n, _) =>
        {
            var x = new double[n];
            var segment = n / repeats;
            var phase = 0.0;
            for (var i = 0; i < n; i++)
            {
                var position = Math.Min(1.0, (i % Math.Max(segment, 1)) / (double)Math.Max(segment, 1));
                var progress = up ? position : 1 - position;
                var f = low * Math.Pow(high / low, progress);
                phase += 2 * Math.PI * f / Rate;
                x[i] = Math.Sin(phase);
            }

            return x;
        });
    }

    private static DemoSoundEvent Vowel(string label, double[] formants, DemoRandom random)
    {
        var f0 = random.LogUniform(90, 260);
        var vibrato = random.Uniform(0, 0.02);
        var voice = f0 < 150 ? random.Pick(["low voiced", "deep buzzy", "male like"]) : random.Pick(["high voiced", "bright buzzy", "female like"]);
        var vowel = label switch
        {
            DemoSoundLabels.VowelA => random.Pick(["'ah' vowel", "'a' vowel as in father", "open 'ah' sound"]),
            DemoSoundLabels.VowelI => random.Pick(["'ee' vowel", "'i' vowel as in see", "bright 'ee' sound"]),
            _ => random.Pick(["'oo' vowel", "'u' vowel as in food", "rounded 'oo' sound"]),
        };
        var scale = random.Uniform(0.93, 1.07);
        return new DemoSoundEvent(label, WithArticle($"{voice} {vowel}"), (n, _) =>
        {
            // Glottal source: an impulse train with a little vibrato, tilted by a one-pole low-pass.
            var source = new double[n];
            var phase = 0.0;
            var tilt = 0.0;
            for (var i = 0; i < n; i++)
            {
                var f = f0 * (1 + (vibrato * Math.Sin(2 * Math.PI * 5.0 * i / Rate)));
                phase += f / Rate;
                var pulse = 0.0;
                if (phase >= 1)
                {
                    phase -= 1;
                    pulse = 1;
                }

                tilt = (0.85 * tilt) + pulse;
                source[i] = tilt;
            }

            var y = source;
            for (var k = 0; k < formants.Length; k++)
            {
                y = DemoSignal.Resonate(y, formants[k] * scale, 80 + (40 * k), Rate);
            }

            return y;
        });
    }

    private static DemoSoundEvent AmTone(DemoRandom random)
    {
        var carrier = random.LogUniform(200, 2000);
        var rate = random.Uniform(2, 12);
        var depth = random.Uniform(0.7, 1.0);
        var speed = rate < 6 ? random.Pick(["slowly", "gently"]) : random.Pick(["rapidly", "quickly"]);
        var phrase = random.Next(3) switch
        {
            0 => WithArticle($"{PitchWord(carrier, random)} tone pulsing {speed}"),
            1 => WithArticle($"{PitchWord(carrier, random)} tone with tremolo"),
            _ => $"a tone whose loudness wobbles {speed}",
        };
        return new DemoSoundEvent(DemoSoundLabels.AmTone, phrase, (n, _) =>
        {
            var x = new double[n];
            for (var i = 0; i < n; i++)
            {
                var t = (double)i / Rate;
                x[i] = (1 - (depth * 0.5 * (1 + Math.Cos(2 * Math.PI * rate * t)))) * Math.Sin(2 * Math.PI * carrier * t);
            }

            return x;
        });
    }

    private static DemoSoundEvent FmTone(DemoRandom random)
    {
        var carrier = random.LogUniform(300, 1500);
        var rate = random.Uniform(3, 9);
        var deviation = carrier * random.Uniform(0.06, 0.2);
        var phrase = random.Next(3) switch
        {
            0 => WithArticle($"{PitchWord(carrier, random)} warbling tone"),
            1 => WithArticle($"{PitchWord(carrier, random)} tone with wide vibrato"),
            _ => "a siren like warbling tone",
        };
        return new DemoSoundEvent(DemoSoundLabels.FmTone, phrase, (n, _) =>
        {
            var x = new double[n];
            for (var i = 0; i < n; i++)
            {
                var t = (double)i / Rate;
                x[i] = Math.Sin((2 * Math.PI * carrier * t) + (deviation / rate * Math.Sin(2 * Math.PI * rate * t)));
            }

            return x;
        });
    }
}
