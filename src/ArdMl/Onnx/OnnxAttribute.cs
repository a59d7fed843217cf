using Onnx;

namespace ArdMl.Onnx;

/// <summary>A node attribute for <see cref="OnnxGraphBuilder.AddNode(string, string, IReadOnlyList{string}, string, OnnxAttribute[])"/>.</summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto _proto;

    private OnnxAttribute(AttributeProto proto) => _proto = proto;

    /// <summary>The attribute name.</summary>
    public string Name => _proto.Name;

    /// <summary>An integer attribute (e.g. <c>transB</c>, <c>keepdims</c>).</summary>
    public static OnnxAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>An integer-list attribute (e.g. <c>kernel_shape</c>, <c>pads</c>, <c>axes</c>).</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new OnnxAttribute(proto);
    }

    /// <summary>A float attribute (e.g. <c>alpha</c>).</summary>
    public static OnnxAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>A string attribute (e.g. <c>auto_pad</c>).</summary>
    public static OnnxAttribute String(string name, string value) =>
        new(new AttributeProto
        {
            Name = CheckName(name),
            Type = AttributeProto.Types.AttributeType.String,
            S = Google.Protobuf.ByteString.CopyFromUtf8(value),
        });

    internal AttributeProto ToProto() => _proto.Clone();

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
