namespace ArdMl.Demo;

/// <summary>How a demo clip is put together.</summary>
public enum DemoClipKind
{
    /// <summary>One event over the whole clip.</summary>
    Single,

    /// <summary>Two events of different families at the same time (two labels).</summary>
    Mixture,

    /// <summary>One event in one to three short bursts, silence in between.</summary>
    Bursts,
}

/// <summary>One generated clip of the demo corpus: file name, labels, caption and 16 kHz mono samples.</summary>
public sealed class DemoClip
{
    internal DemoClip(int index, DemoClipKind kind, IReadOnlyList<string> labels, string caption, float[] samples)
    {
        Index = index;
        Kind = kind;
        Labels = labels;
        Caption = caption;
        Samples = samples;
    }

    /// <summary>Position in the corpus (0-based); the clip only depends on the seed and this index.</summary>
    public int Index { get; }

    /// <summary>File name inside the clips folder, e.g. <c>demo-00042.wav</c>.</summary>
    public string FileName => FileNameOf(Index);

    /// <summary>How the clip is put together.</summary>
    public DemoClipKind Kind { get; }

    /// <summary>One or two labels from <see cref="DemoSoundLabels.All"/>, in vocabulary order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>A natural-language caption.</summary>
    public string Caption { get; }

    /// <summary>Mono samples at <see cref="DemoCorpusGenerator.SampleRate"/> Hz in [-1, 1].</summary>
    public float[] Samples { get; }

    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => Samples.Length / (double)DemoCorpusGenerator.SampleRate;

    /// <summary>The file name of the clip with the given index.</summary>
    public static string FileNameOf(int index) => $"demo-{index:D5}.wav";
}
