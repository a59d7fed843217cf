using System.Globalization;
using System.Text.RegularExpressions;
using ArdMl.Activations;
using ArdMl.Concepts;
using ArdMl.MlNet;
using ArdMl.Pipeline;
using ArdMl.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Examples.ClassifyByConcept;

/// <summary>
/// Classifies real clips by concept with a group-disjoint split, beside a probe on the same layer: the clips of one
/// group (for example one speaker) are held out; on the others a concept model (LoadAudio → ExtractActivations →
/// TrainSparseAutoencoder → RankConcepts named by the labels) is fitted, and ML.NET's SdcaMaximumEntropy learns the
/// label from ConceptScores. The probe is the same trainer on the clips' mean-pooled tap activations (the layer's own
/// information, the ceiling a concept classifier can approach). Both are scored on the held-out group.
/// </summary>
internal static class GroupedAudioClassification
{
    /// <summary>Runs the grouped comparison; see <see cref="ClassifyByConceptExample.Run"/> for the options.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        var audio = ExampleInputs.Option(args, "--audio")!;
        var description = ExampleInputs.Option(args, "--model-description") ?? throw new ArgumentException("--audio needs --model-description <model.json>.");
        var tap = ExampleInputs.Option(args, "--tap");
        var labelPattern = new Regex(ExampleInputs.Option(args, "--label-pattern") ?? throw new ArgumentException("--audio needs --label-pattern <regex>."));
        var groupPattern = ExampleInputs.Option(args, "--group-by") ?? throw new ArgumentException("--audio needs --group-by <regex>.");
        var groupRegex = new Regex(groupPattern);
        var latents = int.Parse(ExampleInputs.Option(args, "--latents") ?? "256", CultureInfo.InvariantCulture);
        var k = int.Parse(ExampleInputs.Option(args, "--k") ?? "8", CultureInfo.InvariantCulture);
        var steps = int.Parse(ExampleInputs.Option(args, "--steps") ?? "600", CultureInfo.InvariantCulture);
        var meanMode = ExampleInputs.Option(args, "--mean-mode") ?? "auto";
        ClipMeanMode? fixedMeanMode = meanMode switch
        {
            "auto" => null,
            "allframes" => ClipMeanMode.AllFrames,
            "activeframes" => ClipMeanMode.ActiveFrames,
            _ => throw new ArgumentException($"--mean-mode '{meanMode}' is not one of auto, allframes, activeframes."),
        };

        var rows = Directory.EnumerateFiles(audio, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".flac", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f =>
            {
                var name = Path.GetRelativePath(audio, f).Replace('\\', '/');
                return new LabelledAudioClip { Path = f, Clip = name, Label = Capture(labelPattern, name, "--label-pattern"), Group = Capture(groupRegex, name, "--group-by") };
            })
            .ToList();
        var groups = rows.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var testGroups = ExampleInputs.Option(args, "--test-group") is { } only ? [only] : groups;
        output.WriteLine($"{rows.Count} clips, {rows.Select(r => r.Label).Distinct().Count()} labels, groups: {string.Join(", ", groups)}; each held-out group is classified by a model fitted on the others.");
        var conceptAccuracies = new List<double>();
        var probeAccuracies = new List<double>();
        foreach (var testGroup in testGroups)
        {
            var trainRows = rows.Where(r => r.Group != testGroup).ToList();
            var testRows = rows.Where(r => r.Group == testGroup).ToList();
            if (trainRows.Count == 0 || testRows.Count == 0)
            {
                throw new ArgumentException($"Group '{testGroup}' leaves no clips on one side of the split.");
            }

            var ml = new MLContext(seed: 1);
            var ard = ml.Transforms.Ard();
            var train = ml.Data.LoadFromEnumerable(trainRows);
            var test = ml.Data.LoadFromEnumerable(testRows);
            var sampleRate = ModelDescription.Load(description).SampleRate;
            var featurizer = ard.LoadAudio(new LoadAudioOptions { InputColumnName = nameof(LabelledAudioClip.Path), SampleRate = sampleRate })
                .Append(ard.ExtractActivations(new ExtractActivationsOptions { ModelDescriptionPath = description, Tap = tap }))
                .Fit(train);
            var trainFeatures = ml.Data.Cache(featurizer.Transform(train));
            var testFeatures = ml.Data.Cache(featurizer.Transform(test));
            var sae = ard.TrainSparseAutoencoder(new TrainSparseAutoencoderOptions
            {
                MeanMode = fixedMeanMode ?? ClipMeanMode.AllFrames,
                Trainer = new SparseAutoencoderTrainerOptions { LatentCount = latents, K = k, Steps = steps, BatchSize = 1024 },
            })
                .Fit(trainFeatures);
            var rank = ard.RankConcepts(new RankConceptsOptions
            {
                ClipIdColumnName = nameof(LabelledAudioClip.Clip),
                CaptionColumnName = nameof(LabelledAudioClip.Label),
                CaptionKind = CaptionKind.Labels,
                GroupPattern = groupPattern,
            });
            var ranked = rank.Fit(sae.Transform(trainFeatures));
            var reading = "";
            if (fixedMeanMode is null)
            {
                // Choose what μ averages over on the training groups only, as ard discover does by default.
                var active = sae.WithMeanMode(ClipMeanMode.ActiveFrames);
                var activeRanked = rank.Fit(active.Transform(trainFeatures));
                var corpus = CaptionCorpus.Create(CaptionTable.FromPairs(trainRows.Select(r => (r.Clip, r.Label))), CaptionKind.Labels);
                var choice = ClipMeanModeChoice.Measure(
                    ranked.Dictionary, sae.Transform(trainFeatures), activeRanked.Dictionary, active.Transform(trainFeatures), corpus, nameof(LabelledAudioClip.Clip), groupPattern);
                if (choice.Chosen == ClipMeanMode.ActiveFrames)
                {
                    (sae, ranked) = (active, activeRanked);
                }

                reading = string.Create(CultureInfo.InvariantCulture,
                    $", μ over {(choice.Chosen == ClipMeanMode.ActiveFrames ? "active frames" : "all frames")} (criterion {choice.ActiveFrames:F3} active, {choice.AllFrames:F3} all)");
            }

            var concepts = new TransformerChain<ITransformer>(sae, ranked);
            var conceptCount = ((VectorDataViewType)concepts.Transform(trainFeatures).Schema["ConceptScores"].Type).Size;
            var conceptAccuracy = Accuracy(ml, concepts.Transform(trainFeatures), concepts.Transform(testFeatures), "ConceptScores");
            var probeAccuracy = Accuracy(ml, MeanPooled(ml, trainFeatures), MeanPooled(ml, testFeatures), "MeanPooledActivations");
            conceptAccuracies.Add(conceptAccuracy);
            probeAccuracies.Add(probeAccuracy);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  held out {testGroup} ({testRows.Count} clips): by {conceptCount} concepts {conceptAccuracy:P1}, probe on the layer {probeAccuracy:P1}{reading}"));
        }

        var chance = 1.0 / rows.Select(r => r.Label).Distinct().Count();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Held-out-group accuracy: by concepts {conceptAccuracies.Average():P1}, probe {probeAccuracies.Average():P1} (concepts / probe {conceptAccuracies.Average() / probeAccuracies.Average():F2}); chance {chance:P1}."));
        return 0;
    }

    private static string Capture(Regex pattern, string clip, string flag)
    {
        var match = pattern.Match(clip);
        if (!match.Success)
        {
            throw new ArgumentException($"{flag} '{pattern}' does not match clip '{clip}'.");
        }

        return match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
    }

    /// <summary>SdcaMaximumEntropy on min-max normalised <paramref name="features"/>; accuracy on the test rows.</summary>
    private static double Accuracy(MLContext ml, IDataView train, IDataView test, string features)
    {
        var classifier = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(LabelledAudioClip.Label))
            .Append(ml.Transforms.NormalizeMinMax("Features", features))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"));
        var model = classifier.Fit(ml.Data.Cache(train));
        return ml.MulticlassClassification.Evaluate(model.Transform(test), "LabelKey").MicroAccuracy;
    }

    /// <summary>Adds the mean over frames of the tap activations (frames × d, flattened) as a d-wide column.</summary>
    private static IDataView MeanPooled(MLContext ml, IDataView features)
    {
        var width = ((VectorDataViewType)features.Schema["Activations"].Type).Dimensions[^1];
        var pooled = new List<PooledClip>();
        using (var cursor = features.GetRowCursor([features.Schema["Activations"], features.Schema[nameof(LabelledAudioClip.Label)]]))
        {
            var activations = cursor.GetGetter<VBuffer<float>>(features.Schema["Activations"]);
            var label = cursor.GetGetter<ReadOnlyMemory<char>>(features.Schema[nameof(LabelledAudioClip.Label)]);
            VBuffer<float> value = default;
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                activations(ref value);
                label(ref text);
                var dense = value.DenseValues().ToArray();
                var mean = new float[width];
                var frames = Math.Max(1, dense.Length / width);
                for (var i = 0; i < dense.Length; i++)
                {
                    mean[i % width] += dense[i] / frames;
                }

                pooled.Add(new PooledClip { Label = text.ToString(), MeanPooledActivations = mean });
            }
        }

        var schema = SchemaDefinition.Create(typeof(PooledClip));
        schema[nameof(PooledClip.MeanPooledActivations)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(pooled, schema);
    }

    /// <summary>One clip with its label and group.</summary>
    public sealed class LabelledAudioClip
    {
        /// <summary>The clip's full path.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>The clip's path relative to the audio folder (its id).</summary>
        public string Clip { get; set; } = string.Empty;

        /// <summary>The clip's label.</summary>
        public string Label { get; set; } = string.Empty;

        /// <summary>The clip's group (speaker, recording).</summary>
        public string Group { get; set; } = string.Empty;
    }

    private sealed class PooledClip
    {
        public string Label { get; set; } = string.Empty;

        public float[] MeanPooledActivations { get; set; } = [];
    }
}
