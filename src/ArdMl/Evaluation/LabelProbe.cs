using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace ArdMl.Evaluation;

/// <summary>
/// A one-label linear probe: ML.NET's L-BFGS logistic regression (after a mean-variance normaliser) fitted on the
/// training clips' feature vectors (label present or not), scoring other clips by its raw score.
/// </summary>
internal sealed class LabelProbe(MLContext ml, ConceptDiagnosticsOptions options)
{
    /// <summary>Fits on <paramref name="train"/> and returns the average precision of its scores on <paramref name="test"/>.</summary>
    /// <param name="train">Training vectors and whether each carries the label (both classes present).</param>
    /// <param name="test">Scored vectors and whether each carries the label.</param>
    /// <param name="width">The vectors' length (0: no features, every clip scores alike).</param>
    public double AveragePrecision(IReadOnlyList<(float[] Features, bool Label)> train, IReadOnlyList<(float[] Features, bool Label)> test, int width)
    {
        var relevant = test.Select(t => t.Label).ToArray();
        if (width == 0)
        {
            return RankingMetrics.AveragePrecision(new double[test.Count], relevant);
        }

        var schema = SchemaDefinition.Create(typeof(ProbeRow));
        schema[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var pipeline = ml.Transforms.NormalizeMeanVariance("NormalizedFeatures", nameof(ProbeRow.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(ProbeRow.Label),
                FeatureColumnName = "NormalizedFeatures",
                L1Regularization = options.L1Regularization,
                L2Regularization = options.L2Regularization,
                MaximumNumberOfIterations = options.ProbeIterations,
                OptimizationTolerance = options.ProbeTolerance,
                NumberOfThreads = 1,
            }));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(train.Select(t => new ProbeRow { Label = t.Label, Features = t.Features }), schema));
        var output = model.Transform(ml.Data.LoadFromEnumerable(test.Select(t => new ProbeRow { Label = t.Label, Features = t.Features }), schema));
        var scores = new double[test.Count];
        using (var cursor = output.GetRowCursor([output.Schema["Score"]]))
        {
            var score = cursor.GetGetter<float>(output.Schema["Score"]);
            float value = 0;
            for (var row = 0; cursor.MoveNext(); row++)
            {
                score(ref value);
                scores[row] = float.IsFinite(value) ? value : 0;
            }
        }

        return RankingMetrics.AveragePrecision(scores, relevant);
    }

    private sealed class ProbeRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
