using ArdMl.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace ArdMl.Tests.Demo;

public sealed class OnnxGraphBuilderTests
{
    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    [Fact]
    public void BuiltGraphRunsInOnnxRuntimeWithSymbolicBatch()
    {
        var g = new OnnxGraphBuilder("affine");
        g.AddInput("x", Float, "batch", 3);
        var w = g.AddInitializer("w", [1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        var b = g.AddInitializer("b", [0.5f, -100f], 2);
        var y = g.AddNode("MatMul", "/MatMul", ["x", w], "/MatMul_output_0");
        y = g.AddNode("Add", "/Add", [y, b], "/Add_output_0");
        g.AddNode("Relu", "/Relu", [y], "y");
        g.AddOutput("y", Float, "batch", 2);
        g.AddMetadata("purpose", "test");

        using var session = new InferenceSession(g.ToBytes());
        session.ModelMetadata.CustomMetadataMap["purpose"].Should().Be("test");
        session.InputMetadata["x"].Dimensions.Should().Equal(-1, 3);
        var x = new DenseTensor<float>(new[] { 1f, 0f, 0f, 0f, 1f, 1f }, [2, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
        results.Single().AsTensor<float>().ToArray().Should().Equal(1.5f, 0f, 8.5f, 0f);
    }

    [Fact]
    public void SameGraphGivesSameBytesAndReadsBackAsModelProto()
    {
        static byte[] Build()
        {
            var g = new OnnxGraphBuilder("g");
            g.AddInput("x", Float, "n");
            var axes = g.AddInitializer("axes", [0L], 1);
            g.AddNode("Unsqueeze", "/Unsqueeze", ["x", axes], "y");
            g.AddOutput("y", Float, 1, "n");
            return g.ToBytes();
        }

        var bytes = Build();
        Build().Should().Equal(bytes);
        var model = ModelProto.Parser.ParseFrom(bytes);
        model.IrVersion.Should().Be(8);
        model.OpsetImport.Single().Version.Should().Be(17);
        model.Graph.Node.Single().OpType.Should().Be("Unsqueeze");
        model.Graph.Output.Single().Type.TensorType.Shape.Dim[1].DimParam.Should().Be("n");
    }

    [Fact]
    public void InvalidGraphsAreRejectedNamingTheValue()
    {
        var g = new OnnxGraphBuilder("bad");
        g.AddInput("x", Float, 2);
        var undefined = () => g.AddNode("Relu", "/Relu", ["nope"], "y");
        undefined.Should().Throw<ArgumentException>().WithMessage("*'/Relu'*'nope'*");

        var duplicate = () => g.AddInitializer("x", [1f], 1);
        duplicate.Should().Throw<ArgumentException>().WithMessage("*'x'*already used*");

        var wrongCount = () => g.AddInitializer("w", [1f, 2f, 3f], 2, 2);
        wrongCount.Should().Throw<ArgumentException>().WithMessage("*'w'*3 values*[2, 2]*4*");

        g.AddOutput("z", Float, 2);
        var notProduced = () => g.Build();
        notProduced.Should().Throw<InvalidOperationException>().WithMessage("*'z'*not produced*");
    }
}
