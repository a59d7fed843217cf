using Google.Protobuf;
using Onnx;

namespace ArdMl.Tests.Activations;

/// <summary>
/// Small ONNX models built in code (deterministic weights), so that extraction logic is tested without ../shared:
/// a windowed encoder with a time axis, a Whisper-shaped encoder, a recurrent chunk model and a model that yields NaN.
/// </summary>
internal static class TinyOnnxModels
{
    /// <summary>
    /// input "audio" [B, 8] → Reshape [B, 4, 2] ("frames") → MatMul W[2, 3] ("proj", [B, 4, 3]) → Relu ("act") →
    /// ReduceSum over time and features → "score" [B, 1].
    /// </summary>
    public static byte[] WindowedEncoder()
    {
        var graph = new GraphProto { Name = "windowed" };
        graph.Input.Add(Tensor("audio", TensorProto.Types.DataType.Float, "batch", 8));
        graph.Output.Add(Tensor("score", TensorProto.Types.DataType.Float, "batch", 1));
        graph.Initializer.Add(Int64s("frame_shape", [0, 4, 2]));
        graph.Initializer.Add(Floats("W", [2, 3], [1, -1, 0.5f, 2, 1, -0.5f]));
        graph.Initializer.Add(Int64s("sum_axes", [1, 2]));
        graph.Node.Add(Node("Reshape", ["audio", "frame_shape"], ["frames"]));
        graph.Node.Add(Node("MatMul", ["frames", "W"], ["proj"]));
        graph.Node.Add(Node("Relu", ["proj"], ["act"]));
        var sum = Node("ReduceSum", ["act", "sum_axes"], ["score_3d"]);
        sum.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(sum);
        graph.Initializer.Add(Int64s("score_axes", [1]));
        graph.Node.Add(Node("Unsqueeze", ["score_3d", "score_axes"], ["score"]));
        return Model(graph);
    }

    /// <summary>The weights of <see cref="WindowedEncoder"/>: proj[t, j] = Σ_i frames[t, i] W[i, j].</summary>
    public static float[,] WindowedWeights => new float[,] { { 1, -1, 0.5f }, { 2, 1, -0.5f } };

    /// <summary>
    /// "input_features" [B, 80, 3000] → Transpose [B, 3000, 80] → MatMul W[80, 4] → Reshape [B, 1500, 8]
    /// ("last_hidden_state"): like Whisper's encoder, 1500 frames of 20 ms per 30 s.
    /// </summary>
    public static byte[] WhisperShapedEncoder()
    {
        var graph = new GraphProto { Name = "whisper-like" };
        graph.Input.Add(Tensor("input_features", TensorProto.Types.DataType.Float, "batch", 80, 3000));
        graph.Output.Add(Tensor("last_hidden_state", TensorProto.Types.DataType.Float, "batch", 1500, 8));
        var transpose = Node("Transpose", ["input_features"], ["features_t"]);
        transpose.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, 2, 1 } });
        graph.Node.Add(transpose);
        var weights = new float[80 * 4];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)Math.Sin(i * 0.37) * 0.1f;
        }

        graph.Initializer.Add(Floats("W", [80, 4], weights));
        graph.Node.Add(Node("MatMul", ["features_t", "W"], ["projected"]));
        graph.Initializer.Add(Int64s("pair_shape", [0, 1500, 8]));
        graph.Node.Add(Node("Reshape", ["projected", "pair_shape"], ["last_hidden_state"]));
        return Model(graph);
    }

    /// <summary>
    /// "x" [B, 4] (3 new samples + 1 of context), "h" [1, B, 2], "sr" int64 scalar (unused) →
    /// "s" = ReduceSum(x) [B, 1]; "hN" = 0.5 h + s (broadcast to [1, B, 2]).
    /// </summary>
    public static byte[] RecurrentChunkModel()
    {
        var graph = new GraphProto { Name = "recurrent" };
        graph.Input.Add(Tensor("x", TensorProto.Types.DataType.Float, "batch", 4));
        graph.Input.Add(Tensor("h", TensorProto.Types.DataType.Float, 1, "batch", 2));
        graph.Input.Add(Tensor("sr", TensorProto.Types.DataType.Int64));
        graph.Output.Add(Tensor("hN", TensorProto.Types.DataType.Float, 1, "batch", 2));
        graph.Initializer.Add(Int64s("axes1", [1]));
        graph.Initializer.Add(Int64s("axes0", [0]));
        graph.Initializer.Add(Floats("half", [], [0.5f]));
        graph.Node.Add(Node("ReduceSum", ["x", "axes1"], ["s"]));
        graph.Node.Add(Node("Unsqueeze", ["s", "axes0"], ["s3"]));
        graph.Node.Add(Node("Mul", ["h", "half"], ["h_half"]));
        graph.Node.Add(Node("Add", ["h_half", "s3"], ["hN"]));
        return Model(graph);
    }

    /// <summary>"audio" [B, 4] → Log ("logs") → output "logs": negative samples give NaN.</summary>
    public static byte[] LogModel()
    {
        var graph = new GraphProto { Name = "log" };
        graph.Input.Add(Tensor("audio", TensorProto.Types.DataType.Float, "batch", 4));
        graph.Output.Add(Tensor("logs", TensorProto.Types.DataType.Float, "batch", 4));
        graph.Node.Add(Node("Log", ["audio"], ["logs"]));
        return Model(graph);
    }

    private static byte[] Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "ArdMl.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Tensor(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static TensorProto Floats(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static TensorProto Int64s(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }
}
