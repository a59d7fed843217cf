using System.Security.Cryptography;
using System.Text.Json;
using ArdMl.Activations;
using ArdMl.Demo;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Tests.Demo;

/// <summary>The model committed under models/demo: it loads, it is described, and it recognises fresh clips.</summary>
public sealed class DemoCommittedModelTests
{
    private static readonly string Folder = Path.Combine(SharedAssets.RepositoryRoot, "models", "demo");
    private static readonly string ModelPath = Path.Combine(Folder, DemoModelPackage.ModelFile);
    private static readonly string DescriptionPath = Path.Combine(Folder, DemoModelPackage.DescriptionFile);

    [Fact]
    public void ModelIsSmallAndCarriesTheLabelVocabulary()
    {
        new FileInfo(ModelPath).Length.Should().BeLessThan(2 * 1024 * 1024);
        using var session = new InferenceSession(ModelPath);
        var labels = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["labels"]);
        labels.Should().Equal(DemoSoundLabels.All);
        session.InputMetadata[DemoSoundEventModel.InputName].Dimensions.Should().Equal(-1, -1);
        session.OutputMetadata[DemoSoundEventModel.ProbabilitiesOutput].Dimensions.Should().Equal(-1, DemoSoundLabels.All.Count);
    }

    [Fact]
    public void ModelRecognisesFreshlyGeneratedClipsFarAboveChance()
    {
        using var session = new InferenceSession(ModelPath);
        var single = 0;
        var singleCorrect = 0;
        var mixtureBothInTopThree = 0;
        var mixtures = 0;
        for (var i = 0; i < 90; i++)
        {
            // A seed the committed model never saw.
            var clip = DemoCorpusGenerator.Generate(seed: 987654, i);
            var input = new DenseTensor<float>(clip.Samples, [1, clip.Samples.Length]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(DemoSoundEventModel.InputName, input)]);
            var probabilities = results.Single(r => r.Name == DemoSoundEventModel.ProbabilitiesOutput).AsTensor<float>().ToArray();
            var ranked = Enumerable.Range(0, probabilities.Length).OrderByDescending(k => probabilities[k]).Select(k => DemoSoundLabels.All[k]).ToList();
            if (clip.Kind == DemoClipKind.Mixture)
            {
                mixtures++;
                mixtureBothInTopThree += clip.Labels.All(l => ranked.Take(3).Contains(l)) ? 1 : 0;
            }
            else
            {
                single++;
                singleCorrect += ranked[0] == clip.Labels[0] ? 1 : 0;
            }
        }

        // Chance is 1/14 for one label; the committed model reaches about 0.9 on its validation clips.
        (singleCorrect / (double)single).Should().BeGreaterThan(0.75);
        (mixtureBothInTopThree / (double)mixtures).Should().BeGreaterThan(0.5);
    }

    [Fact]
    public void EvaluatorScoresTheCommittedModelAndRejectsOtherModels()
    {
        var evaluation = DemoOnnxEvaluator.Evaluate(ModelPath, seed: 4242, clipCount: 40);
        evaluation.All.ClipCount.Should().Be(40);
        evaluation.All.TopLabelAccuracy.Should().BeGreaterThan(0.7);
        evaluation.ByKind.Values.Sum(e => e.ClipCount).Should().Be(40);

        var other = Path.Combine(Path.GetTempPath(), $"ardml-not-demo-{Guid.NewGuid():N}.onnx");
        try
        {
            var g = new ArdMl.Onnx.OnnxGraphBuilder("identity");
            g.AddInput("waveform", global::Onnx.TensorProto.Types.DataType.Float, "batch", "samples");
            g.AddNode("Identity", "/Identity", ["waveform"], "logits");
            g.AddOutput("logits", global::Onnx.TensorProto.Types.DataType.Float, "batch", "samples");
            g.Save(other);
            var act = () => DemoOnnxEvaluator.Evaluate(other, 1, 1);
            act.Should().Throw<InvalidDataException>().WithMessage("*not a demo sound-event model*");
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public void DescriptionMatchesTheModelAndExtractsHiddenFramesAtTwentyFivePerSecond()
    {
        var description = ModelDescription.Load(DescriptionPath);
        description.ModelSha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ModelPath))));
        description.DefaultTaps.Should().Equal(DemoSoundEventModel.HiddenTap);
        File.ReadAllText(DescriptionPath).Should().Be(DemoModelPackage.DescriptionJson(description.ModelSha256!), "the committed description is the one the rebuild writes");

        using var extractor = ActivationExtractor.Create(description);
        extractor.WidthOf(DemoSoundEventModel.HiddenTap).Should().Be(128);
        var clip = DemoCorpusGenerator.Generate(seed: 5, 0);
        var (data, frames, width) = extractor.Extract(clip.Samples);
        width.Should().Be(128);
        var seconds = clip.Samples.Length / 16000.0;
        frames.Should().BeInRange((int)(seconds * 24) - 1, (int)Math.Ceiling(seconds * 25) + 1);
        data.Should().OnlyContain(v => v >= 0f && float.IsFinite(v), "the tap is a ReLU output");
        data.Should().Contain(v => v > 0f);
    }
}
