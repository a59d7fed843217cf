using ArdMl.Audio;
using ArdMl.Concepts;

namespace ArdMl.Demo;

/// <summary>
/// Generates the labelled, captioned demo corpus deterministically from a seed, in pure C#: tones, chords, white /
/// pink / brown noise, random clicks and click rhythms, rising and falling sweeps, the vowels a / i / u (a glottal
/// pulse train through formant resonators), amplitude- and frequency-modulated tones, events in bursts separated by
/// silence, and mixtures of two events. Each clip lasts 1 to 3 s (in 0.5 s steps) at 16 kHz mono.
/// </summary>
/// <remarks>
/// <see cref="Write"/> creates <c>clips/demo-NNNNN.wav</c> (16-bit PCM), <c>captions.csv</c> (one caption per clip)
/// and <c>labels.csv</c> (one row per label of a clip: a mixture has two rows). Both CSV files are RFC 4180 with the
/// header <c>clip,text</c>; <c>clip</c> is the file name relative to the clips folder. Clip <c>i</c> depends only on
/// the seed and <c>i</c>, so a larger corpus of the same seed starts with the smaller one.
/// </remarks>
public static class DemoCorpusGenerator
{
    /// <summary>Sample rate of every clip.</summary>
    public const int SampleRate = 16000;

    /// <summary>Name of the clips folder inside the corpus folder.</summary>
    public const string ClipsFolder = "clips";

    /// <summary>Name of the captions file.</summary>
    public const string CaptionsFile = "captions.csv";

    /// <summary>Name of the labels file.</summary>
    public const string LabelsFile = "labels.csv";

    private static readonly double[] Durations = [1.0, 1.5, 2.0, 2.5, 3.0];
    private static readonly string[] SingleTemplates = ["{0}", "{0} playing on its own", "the sound of {0}", "{0}, clearly audible", "just {0}"];
    private static readonly string[] MixtureTemplates = ["{0} together with {1}", "{0} mixed with {1}", "{0} over {1}", "{0} and {1} at the same time"];
    private static readonly string[] OneBurstTemplates = ["{0} surrounded by silence", "silence, then briefly {0}", "a short burst of sound: {0}, then silence"];
    private static readonly string[] BurstTemplates = ["{0} in {1} short bursts separated by silence", "{0} that starts and stops {1} times, with silence in between", "{1} brief bursts of {0} with pauses"];

    /// <summary>Generates clip <paramref name="index"/> of the corpus of <paramref name="seed"/>.</summary>
    public static DemoClip Generate(int seed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = new DemoRandom(seed, index);
        var length = (int)(random.Pick(Durations) * SampleRate);
        var draw = random.NextDouble();
        var kind = draw < 0.6 ? DemoClipKind.Single : draw < 0.8 ? DemoClipKind.Mixture : DemoClipKind.Bursts;
        double[] mix;
        string caption;
        List<string> labels;
        switch (kind)
        {
            case DemoClipKind.Single:
                {
                    var sound = DemoSoundEvents.Create(random.Pick(DemoSoundLabels.All), random);
                    mix = sound.Render(length, random);
                    caption = string.Format(random.Pick(SingleTemplates), sound.Phrase);
                    labels = [sound.Label];
                    break;
                }

            case DemoClipKind.Mixture:
                {
                    var first = DemoSoundEvents.Create(random.Pick(DemoSoundLabels.All), random);
                    var others = DemoSoundLabels.All.Where(l => DemoSoundLabels.FamilyOf(l) != DemoSoundLabels.FamilyOf(first.Label)).ToArray();
                    var second = DemoSoundEvents.Create(random.Pick(others), random);
                    var a = first.Render(length, random);
                    var b = second.Render(length, random);
                    var gainB = Math.Pow(10, random.Uniform(-6, 0) / 20);
                    var noiseGainA = DemoSoundLabels.FamilyOf(first.Label) == "noise" ? 0.5 : 1.0;
                    var noiseGainB = DemoSoundLabels.FamilyOf(second.Label) == "noise" ? 0.5 : 1.0;
                    mix = new double[length];
                    for (var i = 0; i < length; i++)
                    {
                        mix[i] = (noiseGainA * a[i]) + (gainB * noiseGainB * b[i]);
                    }

                    caption = string.Format(random.Pick(MixtureTemplates), first.Phrase, second.Phrase);
                    labels = [first.Label, second.Label];
                    break;
                }

            default:
                {
                    var sound = DemoSoundEvents.Create(random.Pick(DemoSoundLabels.All), random);
                    var count = 1 + random.Next(3);
                    mix = new double[length];
                    var slot = length / count;
                    for (var k = 0; k < count; k++)
                    {
                        var burst = Math.Min((int)(random.Uniform(0.3, 0.7) * SampleRate), slot * 3 / 5);
                        var start = (k * slot) + random.Next(Math.Max(1, slot - burst));
                        var samples = sound.Render(burst, random);
                        Array.Copy(samples, 0, mix, start, burst);
                    }

                    caption = count == 1
                        ? string.Format(random.Pick(OneBurstTemplates), sound.Phrase)
                        : string.Format(random.Pick(BurstTemplates), sound.Phrase, count == 2 ? "two" : "three");
                    labels = [sound.Label];
                    break;
                }
        }

        var peak = mix.Max(Math.Abs);
        var target = random.Uniform(0.3, 0.9);
        var output = new float[length];
        for (var i = 0; i < length; i++)
        {
            output[i] = (float)(mix[i] * target / peak);
        }

        var ordered = labels.Distinct().OrderBy(DemoSoundLabels.IndexOf).ToArray();
        return new DemoClip(index, kind, ordered, caption, output);
    }

    /// <summary>Writes the corpus into <paramref name="directory"/> (created if needed; existing clip files are overwritten).</summary>
    /// <param name="directory">The corpus folder.</param>
    /// <param name="options">Clip count and seed.</param>
    /// <param name="progress">Receives the number of clips written so far.</param>
    public static DemoCorpusSummary Write(string directory, DemoCorpusOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new DemoCorpusOptions();
        if (options.ClipCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"ClipCount must be at least 1 (is {options.ClipCount}).");
        }

        var root = Path.GetFullPath(directory);
        var clipsDirectory = Path.Combine(root, ClipsFolder);
        Directory.CreateDirectory(clipsDirectory);
        var captions = new List<(string, string)>(options.ClipCount);
        var labels = new List<(string, string)>(options.ClipCount);
        var counts = DemoSoundLabels.All.ToDictionary(l => l, _ => 0);
        var totalSeconds = 0.0;
        for (var i = 0; i < options.ClipCount; i++)
        {
            var clip = Generate(options.Seed, i);
            WavWriter.Write(Path.Combine(clipsDirectory, clip.FileName), clip.Samples, SampleRate, 1, WavSampleFormat.Pcm16);
            captions.Add((clip.FileName, clip.Caption));
            foreach (var label in clip.Labels)
            {
                labels.Add((clip.FileName, label));
                counts[label]++;
            }

            totalSeconds += clip.DurationSeconds;
            progress?.Report(i + 1);
        }

        ClipTextCsv.Write(Path.Combine(root, CaptionsFile), captions);
        ClipTextCsv.Write(Path.Combine(root, LabelsFile), labels);
        return new DemoCorpusSummary(root, options.ClipCount, totalSeconds, counts);
    }
}
