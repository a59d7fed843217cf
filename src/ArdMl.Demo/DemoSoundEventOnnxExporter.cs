using System.Text.Json;
using ArdMl.Onnx;
using Onnx;
using static TorchSharp.torch;

namespace ArdMl.Demo;

/// <summary>Writes a <see cref="DemoSoundEventNetwork"/> as an ONNX graph (opset 17) with the project's own <see cref="OnnxGraphBuilder"/>.</summary>
internal static class DemoSoundEventOnnxExporter
{
    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    public static byte[] Export(DemoSoundEventNetwork network, IReadOnlyList<string> labels)
    {
        var o = network.Options;
        var g = new OnnxGraphBuilder("demo_sound_events");
        g.AddInput(DemoSoundEventModel.InputName, Float, "batch", "samples");

        var axes = g.AddInitializer("frontend.unsqueeze_axes", [1L], 1);
        var dftReal = g.AddInitializer("frontend.dft_real", DemoFrontEnd.DftKernels(imaginary: false), DemoModelOptions.SpectrumBins, 1, DemoModelOptions.FrameSamples);
        var dftImaginary = g.AddInitializer("frontend.dft_imaginary", DemoFrontEnd.DftKernels(imaginary: true), DemoModelOptions.SpectrumBins, 1, DemoModelOptions.FrameSamples);
        var mel = g.AddInitializer("frontend.mel_filters", DemoFrontEnd.MelFilters(o.MelBands), o.MelBands, DemoModelOptions.SpectrumBins, 1);
        var epsilon = g.AddInitializer("frontend.epsilon", [DemoFrontEnd.Epsilon]);
        var bandMean = g.AddInitializer("frontend.band_mean", network.BandMean, 1, o.MelBands, 1);
        var bandScale = g.AddInitializer("frontend.band_scale", network.BandScale, 1, o.MelBands, 1);
        var hopStride = OnnxAttribute.Ints("strides", DemoModelOptions.HopSamples);

        var x = g.AddNode("Unsqueeze", "/frontend/Unsqueeze", [DemoSoundEventModel.InputName, axes], "/frontend/Unsqueeze_output_0");
        var real = g.AddNode("Conv", "/frontend/dft_real/Conv", [x, dftReal], "/frontend/dft_real/Conv_output_0",
            OnnxAttribute.Ints("kernel_shape", DemoModelOptions.FrameSamples), hopStride);
        var imaginary = g.AddNode("Conv", "/frontend/dft_imaginary/Conv", [x, dftImaginary], "/frontend/dft_imaginary/Conv_output_0",
            OnnxAttribute.Ints("kernel_shape", DemoModelOptions.FrameSamples), hopStride);
        var realSquared = g.AddNode("Mul", "/frontend/Mul", [real, real], "/frontend/Mul_output_0");
        var imaginarySquared = g.AddNode("Mul", "/frontend/Mul_1", [imaginary, imaginary], "/frontend/Mul_1_output_0");
        var power = g.AddNode("Add", "/frontend/Add", [realSquared, imaginarySquared], "/frontend/Add_output_0");
        var melPower = g.AddNode("Conv", "/frontend/mel/Conv", [power, mel], "/frontend/mel/Conv_output_0", OnnxAttribute.Ints("kernel_shape", 1));
        var floored = g.AddNode("Add", "/frontend/Add_1", [melPower, epsilon], "/frontend/Add_1_output_0");
        var log = g.AddNode("Log", "/frontend/Log", [floored], "/frontend/Log_output_0");
        var centred = g.AddNode("Sub", "/frontend/Sub", [log, bandMean], "/frontend/Sub_output_0");
        var logMel = g.AddNode("Mul", "/frontend/Mul_2", [centred, bandScale], DemoSoundEventModel.LogMelTap);
        g.AddValueInfo(logMel, Float, "batch", o.MelBands, "frames");

        var h = Conv(g, "conv1", network.Conv1, logMel, 5, 2);
        g.AddValueInfo(h, Float, "batch", o.Conv1Channels, "frames");
        h = g.AddNode("MaxPool", "/encoder/pool1/MaxPool", [h], "/encoder/pool1/MaxPool_output_0",
            OnnxAttribute.Ints("kernel_shape", 2), OnnxAttribute.Ints("strides", 2));
        h = Conv(g, "conv2", network.Conv2, h, 3, 1);
        g.AddValueInfo(h, Float, "batch", o.Conv2Channels, "frames_50hz");
        h = g.AddNode("MaxPool", "/encoder/pool2/MaxPool", [h], "/encoder/pool2/MaxPool_output_0",
            OnnxAttribute.Ints("kernel_shape", 2), OnnxAttribute.Ints("strides", 2));
        h = Conv(g, "conv3", network.Conv3, h, 3, 1);
        g.AddValueInfo(h, Float, "batch", o.HiddenChannels, "frames_25hz");

        var pooled = g.AddNode("ReduceMean", "/pool/ReduceMean", [h], DemoSoundEventModel.EmbeddingTap,
            OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 0));
        g.AddValueInfo(pooled, Float, "batch", o.HiddenChannels);
        var weight = g.AddInitializer("classifier.weight", Values(network.Classifier.weight!), o.LabelCount, o.HiddenChannels);
        var bias = g.AddInitializer("classifier.bias", Values(network.Classifier.bias!), o.LabelCount);
        g.AddNode("Gemm", "/classifier/Gemm", [pooled, weight, bias], DemoSoundEventModel.LogitsOutput, OnnxAttribute.Int("transB", 1));
        g.AddNode("Sigmoid", "/Sigmoid", [DemoSoundEventModel.LogitsOutput], DemoSoundEventModel.ProbabilitiesOutput);
        g.AddOutput(DemoSoundEventModel.LogitsOutput, Float, "batch", o.LabelCount);
        g.AddOutput(DemoSoundEventModel.ProbabilitiesOutput, Float, "batch", o.LabelCount);

        g.AddMetadata("labels", JsonSerializer.Serialize(labels));
        g.AddMetadata("sample_rate", DemoCorpusGenerator.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        g.AddMetadata("hidden_tap", DemoSoundEventModel.HiddenTap);
        g.AddMetadata("hidden_hop_samples", DemoModelOptions.HiddenHopSamples.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return g.ToBytes(docString:
            "ArdMl demo sound-event model: raw 16 kHz mono waveform [batch, samples] -> built-in log-mel -> 3 Conv1d/ReLU layers -> " +
            "mean over time -> multi-label logits and sigmoid probabilities. Rebuild: ard demo corpus --out <dir>; ard demo train-model --corpus <dir> --out models/demo");
    }

    private static string Conv(OnnxGraphBuilder g, string layer, TorchSharp.Modules.Conv1d conv, string input, int kernel, int padding)
    {
        var weight = conv.weight!;
        var w = g.AddInitializer($"encoder.{layer}.weight", Values(weight), weight.shape);
        var b = g.AddInitializer($"encoder.{layer}.bias", Values(conv.bias!), conv.bias!.shape);
        var c = g.AddNode("Conv", $"/encoder/{layer}/Conv", [input, w, b], $"/encoder/{layer}/Conv_output_0",
            OnnxAttribute.Ints("kernel_shape", kernel), OnnxAttribute.Ints("pads", padding, padding));
        return g.AddNode("Relu", $"/encoder/{layer}/Relu", [c], $"/encoder/{layer}/Relu_output_0");
    }

    private static float[] Values(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}
