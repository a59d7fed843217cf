namespace ArdMl.Demo;

/// <summary>
/// One sound event of the demo corpus: its label, a caption phrase that describes it (with an article, e.g. "a high
/// pitched steady tone") and a renderer that synthesises it at any length. The parameters are drawn once, when the
/// event is created, so repeated renders (bursts) sound alike; noise-like events draw fresh noise from the generator.
/// </summary>
internal sealed class DemoSoundEvent
{
    private readonly Func<int, DemoRandom, double[]> _render;

    public DemoSoundEvent(string label, string phrase, Func<int, DemoRandom, double[]> render)
    {
        Label = label;
        Phrase = phrase;
        _render = render;
    }

    /// <summary>The label (one of <see cref="DemoSoundLabels.All"/>).</summary>
    public string Label { get; }

    /// <summary>A noun phrase describing the event, starting with an article or a mass noun.</summary>
    public string Phrase { get; }

    /// <summary>Samples at 16 kHz, RMS-normalised to 1 with 10 ms fades at both ends.</summary>
    public double[] Render(int length, DemoRandom random)
    {
        var samples = _render(length, random);
        DemoSignal.RemoveMean(samples);
        DemoSignal.NormaliseRms(samples);
        DemoSignal.Fade(samples, DemoCorpusGenerator.SampleRate / 100);
        return samples;
    }
}
