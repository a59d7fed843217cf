using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace ArdMl.Onnx;

/// <summary>
/// Builds an ONNX model (ModelProto, IR version 8, default opset 17) node by node with the protobuf classes of
/// OnnxSharp: graph inputs and outputs with fixed or symbolic axes, float and int64 initializers stored as raw
/// little-endian data, nodes with attributes, intermediate value types (value_info) and metadata. <see cref="Build"/>
/// checks that every node input is defined before use, that names are unique and that every graph output is produced.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The default operator set version of the standard domain.</summary>
    public const long DefaultOpset = 17;

    /// <summary>The IR version written (8 goes with opsets 17 and 18).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly long _opset;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Value)> _metadata = [];

    /// <summary>Starts an empty graph.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="opset">Version of the standard operator set (ai.onnx).</param>
    public OnnxGraphBuilder(string graphName, long opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 7);
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
    }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>Adds a graph input.</summary>
    public void AddInput(string name, TensorProto.Types.DataType elementType, params OnnxDimension[] shape)
    {
        Define(name, "graph input");
        _graph.Input.Add(ValueInfo(name, elementType, shape));
    }

    /// <summary>Declares a graph output (it must be produced by a node by the time <see cref="Build"/> is called).</summary>
    public void AddOutput(string name, TensorProto.Types.DataType elementType, params OnnxDimension[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_graph.Output.Any(o => o.Name == name))
        {
            throw new ArgumentException($"'{name}' is already a graph output.", nameof(name));
        }

        _graph.Output.Add(ValueInfo(name, elementType, shape));
    }

    /// <summary>Records the type and shape of an intermediate value (value_info), so that tools can show and tap it typed.</summary>
    public void AddValueInfo(string name, TensorProto.Types.DataType elementType, params OnnxDimension[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _graph.ValueInfo.Add(ValueInfo(name, elementType, shape));
    }

    /// <summary>Adds a float32 constant tensor; returns its name.</summary>
    /// <param name="name">Unique value name.</param>
    /// <param name="values">Values in row-major order.</param>
    /// <param name="shape">Dimensions; their product must equal the number of values.</param>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] shape) =>
        AddLittleEndianInitializer(name, TensorProto.Types.DataType.Float, values, shape, sizeof(float), BinaryPrimitives.WriteSingleLittleEndian);

    /// <summary>Adds an int64 constant tensor (axes, shapes); returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] shape) =>
        AddLittleEndianInitializer(name, TensorProto.Types.DataType.Int64, values, shape, sizeof(long), BinaryPrimitives.WriteInt64LittleEndian);

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    /// <param name="opType">Operator (e.g. "Conv").</param>
    /// <param name="name">Unique node name (e.g. "/encoder/conv1/Conv").</param>
    /// <param name="inputs">Input value names; an empty string marks an omitted optional input.</param>
    /// <param name="output">Name of the value the node produces.</param>
    /// <param name="attributes">Attributes.</param>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        AddNode(opType, name, inputs, [output], attributes);
        return output;
    }

    /// <summary>Adds a node with several outputs.</summary>
    public void AddNode(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (!_nodeNames.Add(name))
        {
            throw new ArgumentException($"A node named '{name}' already exists.", nameof(name));
        }

        foreach (var input in inputs)
        {
            if (input.Length > 0 && !_values.Contains(input))
            {
                throw new ArgumentException($"Node '{name}' ({opType}) reads '{input}', which is no graph input, initializer or earlier node output.", nameof(inputs));
            }
        }

        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        foreach (var output in outputs)
        {
            Define(output, $"output of node '{name}'");
            node.Output.Add(output);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            if (!seen.Add(attribute.Name))
            {
                throw new ArgumentException($"Node '{name}' has the attribute '{attribute.Name}' twice.", nameof(attributes));
            }

            node.Attribute.Add(attribute.ToProto());
        }

        _graph.Node.Add(node);
    }

    /// <summary>Adds a metadata entry (metadata_props) to the model.</summary>
    public void AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata.Add((key, value));
    }

    /// <summary>The finished model; throws <see cref="InvalidOperationException"/> when a graph output is never produced.</summary>
    /// <param name="producerVersion">Written as producer_version.</param>
    /// <param name="docString">Model documentation string.</param>
    public ModelProto Build(string producerVersion = "1", string? docString = null)
    {
        if (_graph.Output.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{_graph.Name}' has no outputs.");
        }

        var produced = _graph.Node.SelectMany(n => n.Output).Concat(_graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var output in _graph.Output)
        {
            if (!produced.Contains(output.Name))
            {
                throw new InvalidOperationException($"Graph output '{output.Name}' of '{_graph.Name}' is not produced by any node.");
            }
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ArdMl",
            ProducerVersion = producerVersion,
            Graph = _graph.Clone(),
        };
        if (docString is not null)
        {
            model.DocString = docString;
        }

        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        foreach (var (key, value) in _metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>The serialised model (deterministic: the same graph gives the same bytes).</summary>
    public byte[] ToBytes(string producerVersion = "1", string? docString = null) => Build(producerVersion, docString).ToByteArray();

    /// <summary>Writes the serialised model to <paramref name="path"/>.</summary>
    public void Save(string path, string producerVersion = "1", string? docString = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes(producerVersion, docString));
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, OnnxDimension[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dimension in shape)
        {
            tensorShape.Dim.Add(dimension.Symbol is { } symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = dimension.Size!.Value });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape } },
        };
    }

    private string AddLittleEndianInitializer<T>(
        string name, TensorProto.Types.DataType type, ReadOnlySpan<T> values, long[] shape, int elementSize, LittleEndianWriter<T> write)
    {
        CheckCount(name, values.Length, shape);
        Define(name, "initializer");
        var bytes = new byte[values.Length * elementSize];
        for (var i = 0; i < values.Length; i++)
        {
            write(bytes.AsSpan(i * elementSize), values[i]);
        }

        _graph.Initializer.Add(Tensor(name, type, shape, bytes));
        return name;
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, long[] shape, byte[] raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(shape);
        return tensor;
    }

    private static void CheckCount(string name, int count, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Any(d => d < 0) || expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} values but the shape [{string.Join(", ", shape)}] holds {expected}.", nameof(shape));
        }
    }

    private void Define(string name, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_values.Add(name))
        {
            throw new ArgumentException($"The value name '{name}' ({what}) is already used in graph '{_graph.Name}'.", nameof(name));
        }
    }

    private delegate void LittleEndianWriter<in T>(Span<byte> destination, T value);
}
