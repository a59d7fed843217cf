using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace ArdMl.Tests.Steering;

public sealed class OnnxModelSplitterTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void SileroSplitAtTheEncoderReproducesEveryChunkWithTheStateCarried()
    {
        var modelPath = SteeringTestModels.SileroOp15;
        Skip.If(modelPath is null || SteeringTestModels.FsddRecordings is null, SharedAssets.MissingMessage);
        var split = OnnxModelSplitter.Split(modelPath, SteeringTestModels.SileroEncoderTap);
        output.WriteLine($"prefix nodes {split.Prefix.Graph.Node.Count}, suffix nodes {split.Suffix.Graph.Node.Count}, crossing [{string.Join(", ", split.CrossingValues)}], suffix reads [{string.Join(", ", split.SuffixOriginalInputs)}]");
        split.Prefix.IrVersion.Should().Be(split.Suffix.IrVersion);
        split.Suffix.OpsetImport.Select(o => o.Version).Should().Equal(split.Prefix.OpsetImport.Select(o => o.Version));
        split.SuffixOutputs.Should().BeEquivalentTo(["output", "stateN"]);
        split.SuffixOriginalInputs.Should().Contain("state", "the decoder's LSTM reads the state input directly");
        split.CrossingValues.Should().NotContain(v => v.Contains("Constant", StringComparison.Ordinal), "constants are copied, not crossed");
        split.Suffix.Graph.Node.Should().Contain(n => n.OpType == "If", "the decoder's If nodes read the tap through their subgraphs");

        var samples = SteeringTestModels.LoadSeconds(SteeringTestModels.FsddClips(1)[0], 0.5);
        using var options = SteeringTestModels.ExactOptions();
        using var original = new InferenceSession(modelPath, options);
        using var session = new SplitModelSession(split, options);
        var stateOriginal = new float[2 * 128];
        var stateSplit = new float[2 * 128];
        var context = new float[64];
        int chunks = 0;
        for (int start = 0; start + 512 <= samples.Length; start += 512, chunks++)
        {
            var chunk = context.Concat(samples.AsSpan(start, 512).ToArray()).ToArray();
            context = chunk[^64..];
            var expected = RunOriginal(original, chunk, stateOriginal);
            using var input = OrtValue.CreateTensorValueFromMemory(chunk, [1, 576]);
            using var state = OrtValue.CreateTensorValueFromMemory(stateSplit, [2, 1, 128]);
            using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []);
            using var forward = session.RunPrefix(new Dictionary<string, OrtValue> { ["input"] = input, ["state"] = state, ["sr"] = sr });
            var actual = session.RunSuffix(forward);
            actual["output"].AsSingles().Should().Equal(expected.Output);
            actual["stateN"].AsSingles().Should().Equal(expected.State);
            stateOriginal = expected.State;
            stateSplit = actual["stateN"].AsSingles();
        }

        chunks.Should().BeGreaterThan(5);
    }

    [SkippableFact]
    public void OpenWakeWordEmbeddingSplitReproducesTheEmbedding()
    {
        var modelPath = SteeringTestModels.OpenWakeWordEmbedding;
        Skip.If(modelPath is null, SharedAssets.MissingMessage);
        var split = OnnxModelSplitter.Split(modelPath, "model/leaky_re_lu_10/LeakyRelu:0");
        output.WriteLine($"prefix nodes {split.Prefix.Graph.Node.Count}, suffix nodes {split.Suffix.Graph.Node.Count}, crossing {split.CrossingValues.Count}");
        var input = DeterministicInput(3 * 76 * 32, seed: 11, scale: 2f, offset: 1f);
        AssertReproduces(modelPath, split, "input_1", input, [3, 76, 32, 1]);
    }

    [SkippableFact]
    public void BasicPitchSplitInsideTheContourBranchCarriesTheSkipConnection()
    {
        var modelPath = SteeringTestModels.BasicPitch;
        Skip.If(modelPath is null, SharedAssets.MissingMessage);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));

        // The first Relu after the middle of the graph whose cut is crossed by other values (a skip connection).
        OnnxModelSplit? split = null;
        foreach (var node in model.Graph.Node.Skip(model.Graph.Node.Count / 2).Where(n => n.OpType == "Relu"))
        {
            var candidate = OnnxModelSplitter.Split(model, node.Output[0]);
            if (candidate.CrossingValues.Count > 0)
            {
                split = candidate;
                break;
            }
        }

        split.Should().NotBeNull("basic-pitch's note/onset heads reuse features computed before the contour head");
        output.WriteLine($"tap {split!.TapName}; crossing [{string.Join(", ", split.CrossingValues)}]");
        var input = DeterministicInput(43844, seed: 5, scale: 0.5f, offset: 0f);
        AssertReproduces(modelPath, split, "serving_default_input_2:0", input, [1, 43844, 1]);
    }

    [SkippableFact]
    public void GenericSteeringModelReproducesTheEmbeddingUnsteeredAndMovesItSteered()
    {
        var modelPath = SteeringTestModels.OpenWakeWordEmbedding;
        Skip.If(modelPath is null, SharedAssets.MissingMessage);
        var split = OnnxModelSplitter.Split(modelPath, "model/leaky_re_lu_10/LeakyRelu:0");
        var patch = DeterministicInput(76 * 32, seed: 3, scale: 2f, offset: 1f);
        using var options = SteeringTestModels.ExactOptions();
        using var model = new OnnxSteeringModel(
            split, samples => [OnnxTensorData.FromSingles("input_1", samples, [1, 76, 32, 1])], "conv2d_19", TapAxisSpec.Parse("frames=0,1;features=2,3"), patch, options);
        var frames = model.CollectTapFrames(patch);
        (frames.Length % model.TapWidth).Should().Be(0);
        output.WriteLine($"tap width {model.TapWidth}, frames {frames.Length / model.TapWidth}");

        using var original = new InferenceSession(modelPath, options);
        using var value = OrtValue.CreateTensorValueFromMemory(patch, [1, 76, 32, 1]);
        using var expected = original.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["input_1"] = value }, ["conv2d_19"]);
        var comparison = SteeringComparison.Run(model, patch, new NeuronIntervention(model.TapWidth, 0, new SteeringEdit(SteeringMode.Add, 10)));
        comparison.Unsteered.Should().Equal(expected[0].GetTensorDataAsSpan<float>().ToArray());
        comparison.Steered.Should().HaveCount(96).And.NotEqual(comparison.Unsteered);
    }

    [SkippableFact]
    public void BadTapsAreRejectedWithTheirKind()
    {
        var modelPath = SteeringTestModels.SileroOp15;
        Skip.If(modelPath is null, SharedAssets.MissingMessage);
        FluentActions.Invoking(() => OnnxModelSplitter.Split(modelPath, "state"))
            .Should().Throw<ArgumentException>().WithMessage("*tap 'state' is a graph input*");
        FluentActions.Invoking(() => OnnxModelSplitter.Split(modelPath, "/no/such/value"))
            .Should().Throw<ArgumentException>().WithMessage("*not a value of the graph*");
        FluentActions.Invoking(() => OnnxModelSplitter.Split(modelPath, "output"))
            .Should().Throw<ArgumentException>().WithMessage("*no output depends on the tap 'output'*");
        FluentActions.Invoking(() => OnnxModelSplitter.Split(new byte[] { 1, 2, 3, 4, 5 }, "x", "junk.onnx"))
            .Should().Throw<InvalidDataException>().WithMessage("junk.onnx is not a valid ONNX model*");
    }

    private static void AssertReproduces(string modelPath, OnnxModelSplit split, string inputName, float[] data, long[] shape)
    {
        using var options = SteeringTestModels.ExactOptions();
        using var original = new InferenceSession(modelPath, options);
        using var session = new SplitModelSession(split, options);
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        var inputs = new Dictionary<string, OrtValue> { [inputName] = value };
        using var expected = original.Run(new RunOptions(), inputs, original.OutputNames);
        using var forward = session.RunPrefix(inputs);
        var actual = session.RunSuffix(forward);
        actual.Keys.Should().Equal(original.OutputNames);
        for (int i = 0; i < original.OutputNames.Count; i++)
        {
            var reference = expected[i].GetTensorDataAsSpan<float>().ToArray();
            reference.Should().NotBeEmpty();
            actual[original.OutputNames[i]].AsSingles().Should().Equal(reference, $"output {original.OutputNames[i]} must be reproduced exactly");
        }

        // Replacing the tap changes the outputs: the suffix really reads it.
        var shifted = forward.Tap.Select(v => v + 1f).ToArray();
        var moved = session.RunSuffix(forward, shifted);
        moved[split.SuffixOutputs[0]].AsSingles().Should().NotEqual(actual[split.SuffixOutputs[0]].AsSingles());
    }

    private static (float[] Output, float[] State) RunOriginal(InferenceSession session, float[] chunk, float[] state)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(chunk, [1, 576]);
        using var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
        using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []);
        using var outputs = session.Run(
            new RunOptions(), new Dictionary<string, OrtValue> { ["input"] = input, ["state"] = stateValue, ["sr"] = sr }, ["output", "stateN"]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    private static float[] DeterministicInput(int length, ulong seed, float scale, float offset)
    {
        var values = new float[length];
        var x = seed;
        for (int i = 0; i < length; i++)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
            values[i] = offset + (scale * (((x >> 40) / (float)(1 << 24)) - 0.5f));
        }

        return values;
    }
}
