namespace ArdMl.Demo;

/// <summary>
/// The label vocabulary of the demo corpus, in the fixed order the demo model's outputs use. A clip carries one label,
/// or two for mixtures (one row per label in <c>labels.csv</c>; a text joining several with ';' reads the same).
/// </summary>
public static class DemoSoundLabels
{
    /// <summary>A steady sine tone.</summary>
    public const string Tone = "tone";

    /// <summary>A major or minor triad of sine tones.</summary>
    public const string Chord = "chord";

    /// <summary>White noise (flat spectrum).</summary>
    public const string WhiteNoise = "white noise";

    /// <summary>Pink noise (-3 dB per octave).</summary>
    public const string PinkNoise = "pink noise";

    /// <summary>Brown noise (-6 dB per octave).</summary>
    public const string BrownNoise = "brown noise";

    /// <summary>Clicks at irregular, random times.</summary>
    public const string Clicks = "clicks";

    /// <summary>A regular click train at a fixed tempo.</summary>
    public const string Rhythm = "rhythm";

    /// <summary>A sine whose pitch rises.</summary>
    public const string SweepUp = "sweep up";

    /// <summary>A sine whose pitch falls.</summary>
    public const string SweepDown = "sweep down";

    /// <summary>A glottal pulse train through the formants of the vowel /a/ ("ah").</summary>
    public const string VowelA = "vowel a";

    /// <summary>A glottal pulse train through the formants of the vowel /i/ ("ee").</summary>
    public const string VowelI = "vowel i";

    /// <summary>A glottal pulse train through the formants of the vowel /u/ ("oo").</summary>
    public const string VowelU = "vowel u";

    /// <summary>An amplitude-modulated (pulsing, tremolo) tone.</summary>
    public const string AmTone = "am tone";

    /// <summary>A frequency-modulated (warbling, vibrato) tone.</summary>
    public const string FmTone = "fm tone";

    /// <summary>Every label, in model output order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Tone, Chord, WhiteNoise, PinkNoise, BrownNoise, Clicks, Rhythm, SweepUp, SweepDown, VowelA, VowelI, VowelU, AmTone, FmTone,
    ];

    /// <summary>The position of a label in <see cref="All"/>; throws for a label outside the vocabulary.</summary>
    public static int IndexOf(string label)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"'{label}' is not a demo corpus label; the labels are: {string.Join(", ", All)}.", nameof(label));
    }

    /// <summary>
    /// The family of a label (noise, tonal, vowel, sweep, click). Mixtures only combine labels of different families so
    /// that both events stay recognisable.
    /// </summary>
    public static string FamilyOf(string label) => label switch
    {
        WhiteNoise or PinkNoise or BrownNoise => "noise",
        Tone or Chord or AmTone or FmTone => "tonal",
        VowelA or VowelI or VowelU => "vowel",
        SweepUp or SweepDown => "sweep",
        Clicks or Rhythm => "click",
        _ => throw new ArgumentException($"'{label}' is not a demo corpus label.", nameof(label)),
    };
}
