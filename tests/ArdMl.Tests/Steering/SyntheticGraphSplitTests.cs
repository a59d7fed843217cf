using ArdMl.Steering;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace ArdMl.Tests.Steering;

/// <summary>Splitting a small hand-built graph: skip connection, pass-through output, constant node, untyped values.</summary>
public sealed class SyntheticGraphSplitTests
{
    // X → A = Relu(X) → T = Mul(A, W) (tap) → U = Add(T, A) (skip) → Y = Add(U, K) with K a Constant node;
    // P = Neg(X) is an output that does not depend on the tap. No value_info: types of A and T must be inferred.
    private static ModelProto BuildModel()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "test", Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        var g = model.Graph;
        g.Input.Add(Value("X"));
        g.Output.Add(Value("Y"));
        g.Output.Add(Value("P"));
        var w = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        w.Dims.Add(4);
        w.FloatData.AddRange([2f, 3f, 4f, 5f]);
        g.Initializer.Add(w);
        var k = new TensorProto { Name = "k_value", DataType = (int)TensorProto.Types.DataType.Float };
        k.FloatData.Add(100f);
        var constant = Node("Constant", [], ["K"]);
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = k });
        g.Node.Add(Node("Relu", ["X"], ["A"]));
        g.Node.Add(Node("Mul", ["A", "W"], ["T"]));
        g.Node.Add(Node("Add", ["T", "A"], ["U"]));
        g.Node.Add(constant);
        g.Node.Add(Node("Add", ["U", "K"], ["Y"]));
        g.Node.Add(Node("Neg", ["X"], ["P"]));
        return model;
    }

    [Fact]
    public void CutExposesTheSkipValueAndKeepsPassThroughOutputsInThePrefix()
    {
        var model = BuildModel();
        var split = OnnxModelSplitter.Split(model, "T");
        split.CrossingValues.Should().Equal("A");
        split.PassThroughOutputs.Should().Equal("P");
        split.SuffixOutputs.Should().Equal("Y");
        split.PrefixOutputs.Should().Equal("T", "A", "P");
        split.SuffixOriginalInputs.Should().BeEmpty();
        split.Suffix.Graph.Node.Select(n => n.OpType).Should().Equal("Add", "Constant", "Add");
        split.Prefix.Graph.Node.Select(n => n.OpType).Should().Equal("Relu", "Mul", "Neg");
        split.Suffix.Graph.Initializer.Should().BeEmpty();
        split.Prefix.Graph.Initializer.Select(i => i.Name).Should().Equal("W");
        split.Suffix.Graph.Input.Select(i => i.Name).Should().Equal("T", "A");
        split.Suffix.Graph.Input.Should().OnlyContain(i => i.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float);
        split.Prefix.OpsetImport.Single().Version.Should().Be(17);
        model.Graph.Node.Should().HaveCount(6, "the source model is left unchanged");

        using var session = new SplitModelSession(split);
        using var x = OrtValue.CreateTensorValueFromMemory(new float[] { -1, 1, 2, -3 }, [4]);
        using var forward = session.RunPrefix(new Dictionary<string, OrtValue> { ["X"] = x });
        forward.Tap.Should().Equal(0f, 3f, 8f, 0f);
        var outputs = session.RunSuffix(forward);
        outputs.Keys.Should().Equal("Y", "P");
        outputs["Y"].AsSingles().Should().Equal(100f, 104f, 110f, 100f); // T + A + 100
        outputs["P"].AsSingles().Should().Equal(1f, -1f, -2f, 3f);
        session.RunSuffix(forward, [1f, 1f, 1f, 1f])["Y"].AsSingles().Should().Equal(101f, 102f, 103f, 101f);
        FluentActions.Invoking(() => session.RunSuffix(forward, [1f]))
            .Should().Throw<ArgumentException>().WithMessage("*has 1 values; its shape [4] needs 4*");
        FluentActions.Invoking(() => session.RunPrefix(new Dictionary<string, OrtValue>()))
            .Should().Throw<ArgumentException>().WithMessage("*needs the input 'X'*");
    }

    [Fact]
    public void SplitOfSerialisedBytesEqualsSplitOfTheMessage()
    {
        var model = BuildModel();
        OnnxModelSplitter.Split(model.ToByteArray(), "A").SuffixBytes()
            .Should().Equal(OnnxModelSplitter.Split(model, "A").SuffixBytes());
    }

    private static ValueInfoProto Value(string name) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 4 } } },
            },
        },
    };

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}
