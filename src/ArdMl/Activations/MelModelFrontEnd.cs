using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Activations;

/// <summary>
/// <see cref="FrontEndKind.MelThenWindows"/>: a separate mel model turns the whole clip (scaled by inputScale) into mel
/// frames; windows of windowFrames frames every hopFrames frames, after an optional scale and offset, feed the model.
/// </summary>
internal sealed class MelModelFrontEnd(FrontEndDescription front) : IExtractionFrontEnd
{
    /// <summary>Analysis window of openWakeWord's mel model (n_fft 512): a mel frame covers 512 samples.</summary>
    public const int MelFftSize = 512;

    /// <inheritdoc/>
    public int UnitsPerWindow { get; } = front.WindowFrames;

    /// <inheritdoc/>
    public int UnitWidth => front.MelBins;

    /// <inheritdoc/>
    public int SamplesPerUnit { get; } = front.MelHopSamples;

    /// <inheritdoc/>
    public long FrameSpanSamples => ((long)UnitsPerWindow * SamplesPerUnit) + MelFftSize - SamplesPerUnit; // the last frame's window reaches past its hop.

    /// <summary>
    /// Runs the mel model over the clip. A clip with fewer frames than a window is zero-padded (or looped) as audio
    /// before the mel model, so the padding looks like silence to the embedding model; windows are planned over the
    /// frames that carry the clip.
    /// </summary>
    public PreparedClip Prepare(AudioClip clip, ExtractionSession session)
    {
        var samples = clip.Samples;
        var validFrames = samples.Length < MelFftSize ? 0 : ((samples.Length - MelFftSize) / front.MelHopSamples) + 1;
        var minimumSamples = ((front.WindowFrames - 1) * front.MelHopSamples) + MelFftSize;
        var length = samples.Length;
        if (validFrames < front.WindowFrames && front.ShortClip != ShortClipPolicy.Empty && samples.Length > 0)
        {
            length = minimumSamples;
        }

        if (validFrames == 0 && length < minimumSamples)
        {
            return new PreparedClip(clip, ReadOnlyMemory<float>.Empty, 0, []);
        }

        var buffer = new AlignedTensorBuffer(length);
        var scaled = buffer.Span;
        if (front.ShortClip == ShortClipPolicy.Loop && length > samples.Length)
        {
            for (var i = 0; i < length; i++)
            {
                scaled[i] = samples.Span[i % samples.Length] * front.InputScale;
            }

            validFrames = front.WindowFrames;
        }
        else
        {
            TensorPrimitives.Multiply(samples.Span, front.InputScale, scaled[..samples.Length]);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.Memory(length), [1, length]);
        session.Owner.Recorder?.RecordMel(buffer.ToArray());
        using var outputs = session.RunMel(input);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length < 2 || shape[^1] != front.MelBins)
        {
            throw new ModelInputMismatchException(front.MelModel!, front.MelOutput, $"[..., frames, {front.MelBins}]", $"[{string.Join(", ", shape)}]");
        }

        var availableUnits = (int)shape[^2];
        var plannedUnits = Math.Max(1, Math.Min(validFrames, availableUnits));
        var units = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return new PreparedClip(clip, units, availableUnits, WindowPlan.For(plannedUnits, UnitsPerWindow, front.HopFrames, front.ShortClip, front.Tail));
    }

    /// <inheritdoc/>
    public void FillInput(PreparedClip clip, WindowPlan window, Span<float> destination)
    {
        var values = destination[..(UnitsPerWindow * front.MelBins)];
        window.CopyUnits(clip.Units.Span, clip.AvailableUnits, UnitsPerWindow, front.MelBins, values);
        if (front.MelTransform is { } transform)
        {
            TensorPrimitives.Multiply(values, transform.Scale, values);
            TensorPrimitives.Add(values, transform.Offset, values);
        }
    }
}
