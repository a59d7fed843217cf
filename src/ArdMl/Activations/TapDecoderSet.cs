using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Activations;

/// <summary>
/// Finds each tap's values in a model run's outputs (or, for a tapped model input, in the input buffer) and keeps a
/// <see cref="TapOutputDecoder"/> per tap for the shapes seen. Not thread-safe: one per worker session.
/// </summary>
internal sealed class TapDecoderSet(ActivationExtractor owner)
{
    private readonly Dictionary<string, TapOutputDecoder> _decoders = new(StringComparer.Ordinal);

    /// <summary>The decoder of a tap for the outputs of a run of <paramref name="batch"/> entries.</summary>
    /// <exception cref="InvalidOperationException">The tap is not a float tensor, its layout has no batch axis of that length, or its width changed.</exception>
    public TapOutputDecoder For(string tap, IReadOnlyList<OrtValue> outputs, long[] inputShape, int batch)
    {
        long[] shape;
        if (owner.IsInputTap(tap))
        {
            shape = inputShape;
        }
        else
        {
            var value = outputs[owner.RunOutputIndex(tap)];
            var info = value.GetTensorTypeAndShape();
            if (info.ElementDataType != TensorElementType.Float)
            {
                throw new InvalidOperationException($"Tap '{tap}' of model '{owner.ModelPath}' holds {info.ElementDataType} values; only float tensors can be extracted.");
            }

            shape = info.Shape;
        }

        if (_decoders.TryGetValue(tap, out var cached) && cached.Matches(shape))
        {
            return cached;
        }

        var description = owner.Description;
        var layout = description.LayoutFor(tap, shape.Length);
        var decoder = new TapOutputDecoder(tap, shape, layout);
        if (decoder.BatchAxisLength != batch)
        {
            throw new InvalidOperationException(
                $"Tap '{tap}' has shape [{string.Join(", ", shape)}] for a batch of {batch}: axis {layout.BatchAxis} is not the batch axis. Add a tapLayouts rule to description '{description.Name}'.");
        }

        if (owner.KnownWidth(tap) is { } width && width != decoder.Width)
        {
            throw new InvalidOperationException($"Tap '{tap}' changed width from {width} to {decoder.Width} (shape [{string.Join(", ", shape)}]); its layout needs a time axis.");
        }

        _decoders[tap] = decoder;
        return decoder;
    }

    /// <summary>The values of a tap: the run output, or the first <paramref name="inputLength"/> input values for a tapped input.</summary>
    public ReadOnlySpan<float> Data(string tap, IReadOnlyList<OrtValue> outputs, AlignedTensorBuffer input, int inputLength) =>
        owner.IsInputTap(tap) ? input.Span[..inputLength] : outputs[owner.RunOutputIndex(tap)].GetTensorDataAsSpan<float>();
}
