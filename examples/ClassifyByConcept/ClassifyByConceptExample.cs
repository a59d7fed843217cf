using System.Globalization;
using ArdMl.Demo;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Examples.ClassifyByConcept;

/// <summary>
/// Classifies clips by their concept scores: a concept model (a saved ML.NET zip ending in RankConcepts, or one fitted
/// here on the demo corpus) turns clips into ConceptScores, and ML.NET's SdcaMaximumEntropy learns the clips' sound
/// family from them; accuracy is measured on held-out clips.
/// </summary>
public static class ClassifyByConceptExample
{
    /// <summary>
    /// Runs the example. Options: <c>--model &lt;concepts.zip&gt;</c> (default: fit one on the training clips),
    /// <c>--clips &lt;n&gt;</c> (demo corpus size, default 150; two thirds train, one third held out).
    /// With <c>--audio &lt;dir&gt; --model-description &lt;json&gt; [--tap T] --label-pattern &lt;regex&gt;
    /// --group-by &lt;regex&gt; [--test-group G] [--latents M] [--k K] [--steps S] [--mean-mode auto|allframes|activeframes]</c>
    /// it classifies real clips with a group-disjoint split instead, beside a probe on the same layer (each group held
    /// out in turn unless <c>--test-group</c> names one; <c>auto</c>, the default, chooses what μ averages over on the
    /// training groups as <c>ard discover</c> does).
    /// </summary>
    /// <returns>0 on success.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (ExampleInputs.Option(args, "--audio") is not null)
        {
            return GroupedAudioClassification.Run(args, output);
        }

        var modelZip = ExampleInputs.Option(args, "--model");
        int clipCount = int.Parse(ExampleInputs.Option(args, "--clips") ?? "150", CultureInfo.InvariantCulture);
        var corpus = ExampleInputs.WriteDemoCorpus(clipCount);
        try
        {
            var rows = corpus.Entries
                .Where(e => e.Labels.Count == 1)
                .Select(e => new LabelledClip { Path = e.Path, Caption = e.Caption, Label = DemoSoundLabels.FamilyOf(e.Labels[0]) })
                .ToList();
            int trainCount = rows.Count * 2 / 3;
            var trainRows = rows.Take(trainCount).ToList();
            var testRows = rows.Skip(trainCount).ToList();
            output.WriteLine($"Demo corpus: {corpus.Entries.Count} clips, {rows.Count} with one label; {trainRows.Count} to train, {testRows.Count} held out; "
                + $"classes: {string.Join(", ", rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal))}.");

            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(trainRows);
            var test = ml.Data.LoadFromEnumerable(testRows);
            ITransformer concepts;
            if (modelZip is null)
            {
                var ard = ml.Transforms.Ard();
                var conceptPipeline = ard.LoadAudio()
                    .Append(ard.ExtractActivations(ExampleInputs.DemoModelDescription()))
                    .Append(ard.TrainSparseAutoencoder(latentCount: 64, k: 4, steps: 150, batchSize: 256))
                    .Append(ard.RankConcepts(new RankConceptsOptions { ClipIdColumnName = nameof(LabelledClip.Path), MinimumMonosemanticity = null }));
                output.WriteLine("Fitting a concept model (LoadAudio → ExtractActivations → TrainSparseAutoencoder(m=64, k=4) → RankConcepts) on the training clips...");
                concepts = conceptPipeline.Fit(train);
            }
            else
            {
                concepts = ml.Model.Load(modelZip, out _);
                output.WriteLine($"Loaded the concept model {modelZip}.");
            }

            // Materialise the concept scores once: the classifier trains on them for several passes.
            var trainScores = ml.Data.Cache(concepts.Transform(train));
            var testScores = ml.Data.Cache(concepts.Transform(test));
            int conceptCount = ((VectorDataViewType)trainScores.Schema["ConceptScores"].Type).Size;
            var classifier = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(LabelledClip.Label))
                .Append(ml.Transforms.NormalizeMinMax("Features", "ConceptScores"))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedFamily", "PredictedLabel"));
            output.WriteLine($"Training SdcaMaximumEntropy on {conceptCount} concept scores...");
            var model = classifier.Fit(trainScores);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testScores), "LabelKey");
            var majority = testRows.GroupBy(r => r.Label).Max(g => g.Count()) / (double)testRows.Count;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Held-out accuracy: {metrics.MicroAccuracy:P1} (macro {metrics.MacroAccuracy:P1}) on {testRows.Count} clips; majority class alone: {majority:P1}."));
            return 0;
        }
        finally
        {
            Directory.Delete(corpus.Directory, recursive: true);
        }
    }

    /// <summary>One clip with its sound family.</summary>
    public sealed class LabelledClip
    {
        /// <summary>The clip's path.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>The clip's caption.</summary>
        public string Caption { get; set; } = string.Empty;

        /// <summary>The clip's sound family (tonal, noise, vowel, sweep, click).</summary>
        public string Label { get; set; } = string.Empty;
    }
}
