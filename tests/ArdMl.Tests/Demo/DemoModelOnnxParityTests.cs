using ArdMl.Demo;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace ArdMl.Tests.Demo;

public sealed class DemoModelOnnxParityTests
{
    private static readonly DemoModelOptions Small = new() { MelBands = 16, Conv1Channels = 8, Conv2Channels = 12, HiddenChannels = 10, LabelCount = 5 };

    [Theory]
    [InlineData(2, 16000)]
    [InlineData(1, 7321)]
    [InlineData(3, DemoModelOptionsMinimum)]
    public void OnnxOutputsEqualTorchSharpOutputs(int batch, int samples)
    {
        using var model = DemoSoundEventModel.CreateUntrained(Small, seed: 3);
        var random = new Random(batch * 1000 + samples);
        model.Network.SetBandNormalisation(
            [.. Enumerable.Range(0, Small.MelBands).Select(_ => (float)(-8 + random.NextDouble()))],
            [.. Enumerable.Range(0, Small.MelBands).Select(_ => (float)(0.2 + random.NextDouble()))]);
        var waveforms = Enumerable.Range(0, batch)
            .Select(b => Enumerable.Range(0, samples).Select(i => (float)((0.5 * Math.Sin(i * (0.01 + (0.05 * b)))) + (0.1 * (random.NextDouble() - 0.5)))).ToArray())
            .ToList();

        var expected = model.PredictLogits(waveforms);
        using var session = new InferenceSession(model.ToOnnx());
        var input = new DenseTensor<float>(waveforms.SelectMany(w => w).ToArray(), [batch, samples]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(DemoSoundEventModel.InputName, input)]);
        var logits = results.Single(r => r.Name == DemoSoundEventModel.LogitsOutput).AsTensor<float>();
        var probabilities = results.Single(r => r.Name == DemoSoundEventModel.ProbabilitiesOutput).AsTensor<float>();
        logits.Dimensions.ToArray().Should().Equal(batch, Small.LabelCount);
        for (var b = 0; b < batch; b++)
        {
            for (var k = 0; k < Small.LabelCount; k++)
            {
                logits[b, k].Should().BeApproximately(expected[b][k], 1e-4f);
                probabilities[b, k].Should().BeApproximately(1f / (1f + MathF.Exp(-expected[b][k])), 1e-5f);
            }
        }
    }

    [Fact]
    public void HiddenTapHasATimeAxisAtTwentyFiveFramesPerSecond()
    {
        using var model = DemoSoundEventModel.CreateUntrained(Small, seed: 4);
        var bytes = model.ToOnnx();
        var proto = ModelProto.Parser.ParseFrom(bytes);
        proto.Graph.Node.SelectMany(n => n.Output).Should().Contain([DemoSoundEventModel.HiddenTap, DemoSoundEventModel.LogMelTap, DemoSoundEventModel.EmbeddingTap]);
        proto.Graph.Input.Single().Type.TensorType.Shape.Dim.Select(d => d.DimParam).Should().Equal("batch", "samples");
        var tap = proto.Graph.ValueInfo.Single(v => v.Name == DemoSoundEventModel.HiddenTap);
        proto.Graph.Output.Add(tap.Clone());

        using var session = new InferenceSession(proto.ToByteArray());
        var input = new DenseTensor<float>(new float[2 * 32000], [2, 32000]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(DemoSoundEventModel.InputName, input)]);
        var hidden = results.Single(r => r.Name == DemoSoundEventModel.HiddenTap).AsTensor<float>();
        // 2 s: (32000 - 400) / 160 + 1 = 198 frames, pooled twice: 49 frames.
        hidden.Dimensions.ToArray().Should().Equal(2, Small.HiddenChannels, 49);
    }

    [Fact]
    public void SameSeedGivesSameOnnxBytes()
    {
        using var a = DemoSoundEventModel.CreateUntrained(Small, seed: 8);
        using var b = DemoSoundEventModel.CreateUntrained(Small, seed: 8);
        using var c = DemoSoundEventModel.CreateUntrained(Small, seed: 9);
        b.ToOnnx().Should().Equal(a.ToOnnx());
        c.ToOnnx().Should().NotEqual(a.ToOnnx());
    }

    private const int DemoModelOptionsMinimum = 400 + (3 * 160);
}
