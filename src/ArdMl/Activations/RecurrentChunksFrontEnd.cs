using System.Numerics.Tensors;

namespace ArdMl.Activations;

/// <summary>
/// <see cref="FrontEndKind.RecurrentChunks"/>: consecutive chunks of raw samples, each preceded by contextSamples
/// samples of the previous chunk, scaled by inputScale; the model's state is carried from chunk to chunk (see
/// <see cref="RecurrentExtraction"/>).
/// </summary>
internal sealed class RecurrentChunksFrontEnd(FrontEndDescription front) : IExtractionFrontEnd
{
    /// <inheritdoc/>
    public int UnitsPerWindow { get; } = front.WindowSamples;

    /// <inheritdoc/>
    public int UnitWidth => 1;

    /// <inheritdoc/>
    public int SamplesPerUnit => 1;

    /// <inheritdoc/>
    public long FrameSpanSamples => UnitsPerWindow;

    /// <summary>Values of one batch entry: the context, then the chunk.</summary>
    public int EntryLength => UnitsPerWindow + front.ContextSamples;

    /// <inheritdoc/>
    public PreparedClip Prepare(AudioClip clip, ExtractionSession session) =>
        new(clip, clip.Samples, clip.Samples.Length, WindowPlan.For(clip.Samples.Length, UnitsPerWindow, UnitsPerWindow, front.ShortClip, front.Tail));

    /// <inheritdoc/>
    public void FillInput(PreparedClip clip, WindowPlan window, Span<float> destination)
    {
        var row = destination[..EntryLength];
        row.Clear();
        var samples = clip.Units.Span;
        var context = front.ContextSamples;
        var contextStart = window.Start - context;
        for (var i = 0; i < context; i++)
        {
            var index = contextStart + i;
            row[i] = index >= 0 ? samples[index] : 0f;
        }

        if (window.Loop)
        {
            for (var i = 0; i < UnitsPerWindow; i++)
            {
                row[context + i] = samples[i % samples.Length];
            }
        }
        else
        {
            samples.Slice(window.Start, window.Valid).CopyTo(row[context..]);
        }

        if (front.InputScale != 1f)
        {
            TensorPrimitives.Multiply(row, front.InputScale, row);
        }
    }
}
