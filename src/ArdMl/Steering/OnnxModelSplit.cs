using Google.Protobuf;
using Onnx;

namespace ArdMl.Steering;

/// <summary>
/// One ONNX model cut at a tap value into a prefix and a suffix (made by <see cref="OnnxModelSplitter"/>).
/// The prefix maps the original inputs it needs to <see cref="PrefixOutputs"/>: the tap, every other value the suffix
/// reads from the prefix (<see cref="CrossingValues"/>, e.g. skip connections or state tensors), and the original
/// outputs that do not depend on the tap (<see cref="PassThroughOutputs"/>). The suffix takes the tap, the crossing
/// values and the original inputs it reads directly (<see cref="SuffixOriginalInputs"/>) and computes every original
/// output that depends on the tap (<see cref="SuffixOutputs"/>).
/// </summary>
public sealed class OnnxModelSplit
{
    internal OnnxModelSplit(
        ModelProto prefix,
        ModelProto suffix,
        string tapName,
        IReadOnlyList<string> crossingValues,
        IReadOnlyList<string> suffixOriginalInputs,
        IReadOnlyList<string> passThroughOutputs,
        IReadOnlyList<string> suffixOutputs,
        IReadOnlyList<string> originalInputs,
        IReadOnlyList<string> originalOutputs)
    {
        Prefix = prefix;
        Suffix = suffix;
        TapName = tapName;
        CrossingValues = crossingValues;
        SuffixOriginalInputs = suffixOriginalInputs;
        PassThroughOutputs = passThroughOutputs;
        SuffixOutputs = suffixOutputs;
        OriginalInputs = originalInputs;
        OriginalOutputs = originalOutputs;
    }

    /// <summary>The prefix model (original inputs → tap, crossing values, pass-through outputs).</summary>
    public ModelProto Prefix { get; }

    /// <summary>The suffix model (tap, crossing values, some original inputs → tap-dependent original outputs).</summary>
    public ModelProto Suffix { get; }

    /// <summary>The value the model was cut at.</summary>
    public string TapName { get; }

    /// <summary>Values other than the tap that the prefix computes and the suffix reads.</summary>
    public IReadOnlyList<string> CrossingValues { get; }

    /// <summary>Original graph inputs the suffix reads directly.</summary>
    public IReadOnlyList<string> SuffixOriginalInputs { get; }

    /// <summary>Original outputs that do not depend on the tap; the prefix computes them.</summary>
    public IReadOnlyList<string> PassThroughOutputs { get; }

    /// <summary>Original outputs the suffix computes.</summary>
    public IReadOnlyList<string> SuffixOutputs { get; }

    /// <summary>The original model's graph inputs (initializers excluded), in order.</summary>
    public IReadOnlyList<string> OriginalInputs { get; }

    /// <summary>The original model's graph outputs, in order.</summary>
    public IReadOnlyList<string> OriginalOutputs { get; }

    /// <summary>The prefix's outputs: the tap, the crossing values, then the pass-through outputs.</summary>
    public IReadOnlyList<string> PrefixOutputs => [.. Prefix.Graph.Output.Select(o => o.Name)];

    /// <summary>The prefix serialised (for an ONNX Runtime session or a file).</summary>
    public byte[] PrefixBytes() => Prefix.ToByteArray();

    /// <summary>The suffix serialised (for an ONNX Runtime session or a file).</summary>
    public byte[] SuffixBytes() => Suffix.ToByteArray();
}
