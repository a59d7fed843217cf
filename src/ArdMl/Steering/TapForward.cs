using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Steering;

/// <summary>
/// The result of running a split model's prefix once: the tap activations (copied, float) and everything the suffix
/// needs to finish the forward pass, which can then be run several times (unsteered and steered).
/// Holds native values: dispose it after the last <see cref="SplitModelSession.RunSuffix"/>.
/// </summary>
public sealed class TapForward : IDisposable
{
    private readonly IDisposable _prefixOutputs;

    internal TapForward(
        float[] tap,
        long[] tapShape,
        IReadOnlyDictionary<string, OrtValue> crossing,
        IReadOnlyDictionary<string, OrtValue> originalInputs,
        IReadOnlyDictionary<string, OnnxTensorData> passThrough,
        IDisposable prefixOutputs)
    {
        Tap = tap;
        TapShape = tapShape;
        Crossing = crossing;
        OriginalInputs = originalInputs;
        PassThrough = passThrough;
        _prefixOutputs = prefixOutputs;
    }

    /// <summary>The tap activations, row-major in <see cref="TapShape"/>; a copy the caller may read.</summary>
    public float[] Tap { get; }

    /// <summary>The tap tensor's shape.</summary>
    public long[] TapShape { get; }

    internal IReadOnlyDictionary<string, OrtValue> Crossing { get; }

    internal IReadOnlyDictionary<string, OrtValue> OriginalInputs { get; }

    internal IReadOnlyDictionary<string, OnnxTensorData> PassThrough { get; }

    /// <inheritdoc />
    public void Dispose() => _prefixOutputs.Dispose();
}
