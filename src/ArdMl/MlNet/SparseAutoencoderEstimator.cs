using ArdMl.MlNet.Internals;
using ArdMl.Sae;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Trains a sparse autoencoder (Top-K or the BatchTopK family, see <see cref="SparseAutoencoderTrainerOptions.Variant"/>) on the "Activations" column (frames × d per row, d from the column type) by
/// streaming rows through a cursor (bounded memory for any corpus), and returns a
/// <see cref="SparseAutoencoderTransformer"/> that maps each clip to MeanActivation and Coverage.
/// </summary>
public sealed class SparseAutoencoderEstimator : ArdEstimator<SparseAutoencoderTransformer>
{
    private readonly TrainSparseAutoencoderOptions _options;

    internal SparseAutoencoderEstimator(IHostEnvironment environment, TrainSparseAutoencoderOptions options)
        : base(environment, nameof(SparseAutoencoderEstimator))
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArdSchemaShapes.RequireColumn(inputSchema, _options.InputColumnName, SparseAutoencoderTransformer.ExpectedInput,
            column => ArdSchemaShapes.IsVectorOf(column, NumberDataViewType.Single));
        return ArdSchemaShapes.WithOutputs(inputSchema, SparseAutoencoderTransformer.OutputColumnsFor(_options, _options.Trainer.LatentCount));
    }

    private protected override SparseAutoencoderTransformer FitCore(IDataView input)
    {
        var column = ArdSchemaShapes.RequireColumn(input.Schema, _options.InputColumnName, SparseAutoencoderTransformer.ExpectedInput,
            type => type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float));
        int d = SparseAutoencoderTransformer.WidthOf((VectorDataViewType)column.Type, _options.InputColumnName);
        using var channel = Host.Start("TrainSparseAutoencoder");
        var trainerOptions = _options.Trainer;
        channel.Info($"Training a {SaeLensFormat.VariantName(trainerOptions.Variant)} SAE on '{_options.InputColumnName}': d={d}, m={trainerOptions.LatentCount}, k={trainerOptions.K}, " +
            $"{trainerOptions.Steps} steps x {trainerOptions.BatchSize} frames, lr {trainerOptions.EffectiveLearningRate:G3}.");
        var progress = new ChannelProgress(channel, _options.Progress);
        var result = new SparseAutoencoderTrainer(trainerOptions).Train(new CursorFrames(input, column), d, progress);
        channel.Info($"Fitted: FVU {result.Metrics.FinalFvu:F4}, L0 {result.Metrics.L0:F1}, dead {result.Metrics.DeadFraction:P2}.");
        return new SparseAutoencoderTransformer(Host, _options, result.Autoencoder, result.Metrics);
    }

    /// <summary>Rows of the input as per-clip frame blocks; each enumeration opens a new cursor.</summary>
    private sealed class CursorFrames(IDataView data, DataViewSchema.Column column) : IEnumerable<float[]>
    {
        public IEnumerator<float[]> GetEnumerator()
        {
            using var cursor = data.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                var frames = new float[buffer.Length];
                buffer.CopyTo(frames);
                yield return frames;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ChannelProgress(IChannel channel, IProgress<SaeTrainingProgress>? user) : IProgress<SaeTrainingProgress>
    {
        public void Report(SaeTrainingProgress value)
        {
            channel.Info($"step {value.Step}/{value.TotalSteps}: FVU {value.Fvu:F4}, AuxK FVU {value.AuxFvu:F4}, dead {value.DeadFraction:P1}, " +
                $"{value.TokensPerSecond:F0} tokens/s, {value.SkippedFrames} frames skipped.");
            user?.Report(value);
        }
    }
}
