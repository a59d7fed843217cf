using System.Runtime.InteropServices;

namespace ArdMl.Activations;

/// <summary>
/// A clip whose windows are in flight: per-tap frame buffers, each frame's sample span (for silence masking), and how
/// many of its windows are done. Filled in window order by one thread.
/// </summary>
internal sealed class PendingClipActivations
{
    private readonly List<float>[] _data;
    private readonly List<(long Start, long Length, bool Loop)>[] _spans;
    private int _windowsDone;

    public PendingClipActivations(AudioClip clip, int windowCount, int taps)
    {
        Clip = clip;
        WindowCount = windowCount;
        _data = [.. Enumerable.Range(0, taps).Select(_ => new List<float>())];
        _spans = [.. Enumerable.Range(0, taps).Select(_ => new List<(long, long, bool)>())];
    }

    /// <summary>The clip.</summary>
    public AudioClip Clip { get; }

    /// <summary>Windows planned for the clip.</summary>
    public int WindowCount { get; }

    /// <summary>Whether every window is done.</summary>
    public bool IsComplete => _windowsDone >= WindowCount;

    /// <summary>Marks one more window done.</summary>
    public void WindowDone() => _windowsDone++;

    /// <summary>
    /// Appends the first <paramref name="keep"/> of the <paramref name="frames"/> frames of batch entry
    /// <paramref name="entry"/> of a tap tensor; the window's <paramref name="sampleLength"/> samples from
    /// <paramref name="sampleStart"/> are shared equally among its frames.
    /// </summary>
    public void Append(int tap, TapOutputDecoder decoder, ReadOnlySpan<float> tensor, int entry, int keep, int frames, long sampleStart, long sampleLength, bool loop)
    {
        var width = decoder.Width;
        var list = _data[tap];
        var offset = list.Count;
        CollectionsMarshal.SetCount(list, offset + (keep * width));
        var destination = CollectionsMarshal.AsSpan(list)[offset..];
        decoder.Copy(tensor, entry, 0, keep, destination);
        for (var f = 0; f < keep; f++)
        {
            var start = sampleStart + (sampleLength * f / frames);
            var end = sampleStart + (sampleLength * (f + 1) / frames);
            _spans[tap].Add((start, end - start, loop));
        }
    }

    /// <summary>A tap's frames × d data, dropping frames whose input RMS is below <paramref name="thresholdDb"/> (when set).</summary>
    public (float[] Data, int Frames, int Dropped) Build(int tap, int width, double? thresholdDb)
    {
        var list = _data[tap];
        var frames = width == 0 ? 0 : list.Count / width;
        if (thresholdDb is not { } threshold || frames == 0)
        {
            return ([.. list], frames, 0);
        }

        var samples = Clip.Samples.Span;
        var kept = new List<float>(list.Count);
        var all = CollectionsMarshal.AsSpan(list);
        var dropped = 0;
        for (var f = 0; f < frames; f++)
        {
            var (start, length, loop) = _spans[tap][f];
            double energy = 0;
            long n = 0;
            for (var i = start; i < start + length; i++)
            {
                var index = loop ? i % samples.Length : i;
                if (index < samples.Length)
                {
                    energy += samples[(int)index] * (double)samples[(int)index];
                    n++;
                }
            }

            var db = n == 0 ? double.NegativeInfinity : 10 * Math.Log10((energy / n) + 1e-20);
            if (db < threshold)
            {
                dropped++;
                continue;
            }

            kept.AddRange(all.Slice(f * width, width));
        }

        return ([.. kept], frames - dropped, dropped);
    }
}
