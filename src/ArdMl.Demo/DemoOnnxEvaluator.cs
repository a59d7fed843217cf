using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Demo;

/// <summary>Figures of an exported demo model, run by ONNX Runtime, on freshly generated demo clips.</summary>
/// <param name="All">Figures over every clip.</param>
/// <param name="ByKind">Figures per clip structure (single events, mixtures, bursts).</param>
public sealed record DemoOnnxEvaluation(DemoEvaluation All, IReadOnlyDictionary<DemoClipKind, DemoEvaluation> ByKind);

/// <summary>Runs an exported demo model (<c>demo-sound-events.onnx</c>) with ONNX Runtime over generated clips.</summary>
public static class DemoOnnxEvaluator
{
    /// <summary>
    /// Generates clips <c>0 … clipCount-1</c> of <paramref name="seed"/> (use a seed the model was not trained on),
    /// classifies each with the model's <c>logits</c> output and scores them like <see cref="DemoModelTrainer"/>.
    /// </summary>
    /// <param name="modelPath">The ONNX file.</param>
    /// <param name="seed">Corpus seed.</param>
    /// <param name="clipCount">Number of clips.</param>
    /// <param name="progress">Receives the number of clips done.</param>
    public static DemoOnnxEvaluation Evaluate(string modelPath, int seed, int clipCount, IProgress<int>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(clipCount, 1);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Demo model '{modelPath}' does not exist.", modelPath);
        }

        using var session = new InferenceSession(modelPath);
        if (!session.OutputMetadata.TryGetValue(DemoSoundEventModel.LogitsOutput, out var logitsInfo)
            || logitsInfo.Dimensions.Length != 2 || logitsInfo.Dimensions[1] != DemoSoundLabels.All.Count)
        {
            throw new InvalidDataException(
                $"'{modelPath}' has no output '{DemoSoundEventModel.LogitsOutput}' of shape [batch, {DemoSoundLabels.All.Count}]: it is not a demo sound-event model.");
        }

        var results = new List<(DemoClipKind Kind, float[] Logits, float[] Targets)>(clipCount);
        for (var i = 0; i < clipCount; i++)
        {
            var clip = DemoCorpusGenerator.Generate(seed, i);
            var input = new DenseTensor<float>(clip.Samples, [1, clip.Samples.Length]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(DemoSoundEventModel.InputName, input)], [DemoSoundEventModel.LogitsOutput]);
            results.Add((clip.Kind, outputs[0].AsTensor<float>().ToArray(), DemoModelTrainer.Targets(clip.Labels)));
            progress?.Report(i + 1);
        }

        var all = DemoModelTrainer.Score([.. results.Select(r => r.Logits)], [.. results.Select(r => r.Targets)]);
        var byKind = results.GroupBy(r => r.Kind).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key, g => DemoModelTrainer.Score([.. g.Select(r => r.Logits)], [.. g.Select(r => r.Targets)]));
        return new DemoOnnxEvaluation(all, byKind);
    }
}
