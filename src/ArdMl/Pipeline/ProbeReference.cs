using ArdMl.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>
/// The probe ceiling of the interpretability benchmark: ML.NET's L-BFGS maximum-entropy classifier (after a
/// mean-variance normaliser) trained on the discovery clips' mean-pooled tap activations, the class of a clip being its
/// first label in ordinal order; each label then becomes one "concept" whose clip score is the probe's probability of
/// that class, scored like every method (threshold on the calibration clips, figures on the evaluation clips).
/// </summary>
internal static class ProbeReference
{
    /// <summary>The L2 weight of the probe (ML.NET's default).</summary>
    public const float L2Regularization = 1f;

    /// <summary>The L1 weight of the probe (ML.NET's default).</summary>
    public const float L1Regularization = 1f;

    public const string Description =
        "ML.NET LbfgsMaximumEntropy (L1 = L2 = 1, mean-variance normalised) on the clips' mean-pooled tap activations, trained on the labelled discovery clips (class = first label), "
        + "one concept per label scored by the class probability";

    public static InterpretabilityBenchmarkResult Evaluate(
        MLContext ml,
        ClipStatisticsStore store,
        IReadOnlyDictionary<string, int> rowOf,
        ClipLabelSet labels,
        IReadOnlyList<string> train,
        IReadOnlyList<string> calibration,
        IReadOnlyList<string> evaluation,
        string name)
    {
        var trainRows = train.Select(c => new ProbeRow { Label = labels.LabelsOf(c).Order(StringComparer.Ordinal).First(), Features = store.Embedding[rowOf[c]] }).ToList();
        var classes = trainRows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Count();
        if (classes < 2)
        {
            throw new InvalidDataException($"The probe needs labelled discovery clips of at least 2 labels; found {classes}.");
        }

        var schema = SchemaDefinition.Create(typeof(ProbeRow));
        schema[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, store.Width);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(ProbeRow.Label))
            .Append(ml.Transforms.NormalizeMeanVariance("NormalizedFeatures", nameof(ProbeRow.Features)))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = "NormalizedFeatures",
                L1Regularization = L1Regularization,
                L2Regularization = L2Regularization,
                NumberOfThreads = 1,
            }));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(trainRows, schema));
        var scored = calibration.Concat(evaluation).ToList();
        var output = model.Transform(ml.Data.LoadFromEnumerable(
            scored.Select(c => new ProbeRow { Label = labels.LabelsOf(c).Order(StringComparer.Ordinal).First(), Features = store.Embedding[rowOf[c]] }), schema));
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        output.Schema["Score"].GetSlotNames(ref slotNames);
        var classNames = slotNames.DenseValues().Select(n => n.ToString()).ToArray();
        var columns = classNames.Select(_ => new float[scored.Count]).ToArray();
        using (var cursor = output.GetRowCursor([output.Schema["Score"]]))
        {
            var score = cursor.GetGetter<VBuffer<float>>(output.Schema["Score"]);
            VBuffer<float> value = default;
            for (var row = 0; cursor.MoveNext(); row++)
            {
                score(ref value);
                var dense = value.DenseValues().ToArray();
                for (var c = 0; c < classNames.Length; c++)
                {
                    columns[c][row] = dense[c];
                }
            }
        }

        var index = ClipScoreColumn.IndexOf(scored);
        var concepts = classNames.Select((label, c) => new BenchmarkConcept(label, new ClipScoreColumn(index, columns[c]), null)).ToList();
        return new InterpretabilityBenchmark().Evaluate(name, concepts, labels, calibration, evaluation);
    }

    private sealed class ProbeRow
    {
        public string Label { get; set; } = string.Empty;

        public float[] Features { get; set; } = [];
    }
}
