using System.Text.Json;
using ArdMl.Concepts;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using ArdMl.Sae;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML;
using static TorchSharp.torch;

namespace ArdMl.MlNet;

/// <summary>
/// Applies a trained Top-K SAE to each row's frames (the "Activations" column, frames × d): outputs
/// "MeanActivation" and "Coverage" (Single vectors of size m) and optionally the per-frame codes
/// ("LatentValues", "LatentIndices", frames × k). Fitted metrics are in <see cref="Metrics"/>.
/// </summary>
public sealed class SparseAutoencoderTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<SparseAutoencoderTransformer>
{
    /// <summary>File name of the training metrics next to a saved SAE (written by <c>ard train</c>).</summary>
    public const string MetricsFileName = "metrics.json";

    internal const string ExpectedInput = "a vector of Single of type VectorDataViewType(Single, 0, d) (frames x d)";

    // Saved format:
    //   0x00010001  initial: strings input/mean/coverage/values/indices columns, bool outputCodes, int meanMode,
    //               int d, int m, int k, bool normalizeDecoder, float[] encoder.weight, encoder.bias, W_dec, b_dec,
    //               string metrics JSON.
    //   0x00010002  + int variant, bool hasThreshold, [float threshold], int[] prefix sizes (after the metrics).
    private const uint VariantVersion = 0x00010002;
    private static readonly ModelFormat SavedFormat =
        new("ARDSAEXF", CurrentVersion: VariantVersion, ReadableByVersion: VariantVersion, OldestReadableVersion: 0x00010001, "SparseAutoencoderTransformer");

    private readonly TrainSparseAutoencoderOptions _options;

    internal SparseAutoencoderTransformer(IHostEnvironment environment, TrainSparseAutoencoderOptions options, TopKSparseAutoencoder autoencoder, SaeTrainingMetrics metrics)
        : base(environment, nameof(SparseAutoencoderTransformer))
    {
        _options = options;
        Autoencoder = autoencoder;
        Metrics = metrics;
    }

    /// <summary>The trained autoencoder (shared, do not modify while the transformer is in use).</summary>
    public TopKSparseAutoencoder Autoencoder { get; }

    /// <summary>Fitted metrics: final FVU, L0, dead fraction, log10 feature-density histogram.</summary>
    public SaeTrainingMetrics Metrics { get; }

    /// <summary>Number of latents m (the size of MeanActivation and Coverage).</summary>
    public int LatentCount => Autoencoder.LatentCount;

    /// <summary>What the clips' μ (the "MeanActivation" column) averages over.</summary>
    public ClipMeanMode MeanMode => _options.MeanMode;

    /// <summary>
    /// The same trained autoencoder and columns with μ averaged over <paramref name="meanMode"/> (the weights are
    /// shared, not copied), for ranking a corpus's clips under both readings to choose one
    /// (<see cref="Pipeline.ClipMeanModeChoice"/>).
    /// </summary>
    /// <param name="meanMode">What μ averages over.</param>
    public SparseAutoencoderTransformer WithMeanMode(ClipMeanMode meanMode) => meanMode == _options.MeanMode
        ? this
        : new SparseAutoencoderTransformer(Host, _options.WithMeanMode(meanMode), Autoencoder, Metrics);

    /// <summary>Writes a Top-K autoencoder in EleutherAI sparsify's layout (cfg.json + sae.safetensors).</summary>
    public void SaveSparsify(string directory) => SparsifyFormat.Save(Autoencoder, directory);

    /// <summary>Writes a BatchTopK-family autoencoder in SAELens's layout (cfg.json + sae_weights.safetensors).</summary>
    public void SaveSaeLens(string directory) => SaeLensFormat.Save(Autoencoder, directory);

    static ModelFormat IArdLoadableTransformer<SparseAutoencoderTransformer>.Format => SavedFormat;

    private protected override ModelFormat Format => SavedFormat;

    internal static int WidthOf(VectorDataViewType type, string columnName)
    {
        var dims = type.Dimensions;
        if (dims.Length == 2 && dims[1] > 0)
        {
            return dims[1];
        }

        if (dims.Length == 1 && dims[0] > 0)
        {
            return dims[0];
        }

        throw new ArgumentOutOfRangeException(nameof(columnName),
            $"Column '{columnName}' must be {ExpectedInput}; its type {type} does not give the frame width d.");
    }

    internal static IReadOnlyList<ArdOutputColumn> OutputColumnsFor(TrainSparseAutoencoderOptions options, int latentCount)
    {
        var columns = new List<ArdOutputColumn>
        {
            new(options.MeanActivationColumnName, new VectorDataViewType(NumberDataViewType.Single, latentCount)),
            new(options.CoverageColumnName, new VectorDataViewType(NumberDataViewType.Single, latentCount)),
        };
        if (options.OutputCodes)
        {
            columns.Add(new(options.LatentValuesColumnName, new VectorDataViewType(NumberDataViewType.Single)));
            columns.Add(new(options.LatentIndicesColumnName, new VectorDataViewType(NumberDataViewType.Int32)));
        }

        return columns;
    }

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(_options.InputColumnName);
        writer.Write(_options.MeanActivationColumnName);
        writer.Write(_options.CoverageColumnName);
        writer.Write(_options.LatentValuesColumnName);
        writer.Write(_options.LatentIndicesColumnName);
        writer.Write(_options.OutputCodes);
        writer.Write((int)_options.MeanMode);
        writer.Write(Autoencoder.InputDim);
        writer.Write(Autoencoder.LatentCount);
        writer.Write(Autoencoder.K);
        writer.Write(Autoencoder.NormalizeDecoder);
        writer.Write(SparsifyFormat.ToArray(Autoencoder.EncoderWeight));
        writer.Write(SparsifyFormat.ToArray(Autoencoder.EncoderBias));
        writer.Write(SparsifyFormat.ToArray(Autoencoder.DecoderWeight));
        writer.Write(SparsifyFormat.ToArray(Autoencoder.DecoderBias));
        writer.Write(Metrics.ToJson());
        writer.Write((int)Autoencoder.Variant);
        writer.Write(Autoencoder.Threshold is not null);
        if (Autoencoder.Threshold is float threshold)
        {
            writer.Write(threshold);
        }

        writer.Write(Autoencoder.PrefixSizes.ToArray());
    }

    static SparseAutoencoderTransformer IArdLoadableTransformer<SparseAutoencoderTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        var options = new TrainSparseAutoencoderOptions
        {
            InputColumnName = reader.ReadString(),
            MeanActivationColumnName = reader.ReadString(),
            CoverageColumnName = reader.ReadString(),
            LatentValuesColumnName = reader.ReadString(),
            LatentIndicesColumnName = reader.ReadString(),
            OutputCodes = reader.ReadBoolean(),
        };
        int meanMode = reader.ReadInt32();
        if (!Enum.IsDefined((ClipMeanMode)meanMode))
        {
            throw reader.Corrupt($"mean mode {meanMode} is not defined");
        }

        options.MeanMode = (ClipMeanMode)meanMode;
        int d = reader.ReadInt32();
        int m = reader.ReadInt32();
        int k = reader.ReadInt32();
        bool normalize = reader.ReadBoolean();
        if (d <= 0 || m <= 0 || k <= 0 || k >= m)
        {
            throw reader.Corrupt($"SAE shape d={d}, m={m}, k={k} is invalid");
        }

        var encoderWeight = reader.ReadSingles();
        var encoderBias = reader.ReadSingles();
        var decoderWeight = reader.ReadSingles();
        var decoderBias = reader.ReadSingles();
        if (encoderWeight.Length != (long)m * d || encoderBias.Length != m || decoderWeight.Length != (long)m * d || decoderBias.Length != d)
        {
            throw reader.Corrupt($"SAE weights do not match d={d}, m={m}");
        }

        var metrics = JsonSerializer.Deserialize<SaeTrainingMetrics>(reader.ReadString())
            ?? throw reader.Corrupt("the metrics are missing");
        var variant = SaeVariant.TopK;
        float? threshold = null;
        int[] prefixes = [];
        if (reader.Version >= VariantVersion)
        {
            variant = (SaeVariant)reader.ReadInt32();
            if (!Enum.IsDefined(variant))
            {
                throw reader.Corrupt($"SAE variant {(int)variant} is not defined");
            }

            threshold = reader.ReadBoolean() ? reader.ReadSingle() : null;
            prefixes = reader.ReadInt32s();
        }

        var sae = new TopKSparseAutoencoder(d, m, k, normalize) { Variant = variant, PrefixSizes = prefixes, Threshold = threshold };
        using (no_grad())
        {
            sae.EncoderWeight.copy_(tensor(encoderWeight, [m, d]));
            sae.EncoderBias.copy_(tensor(encoderBias, [m]));
            sae.DecoderWeight.copy_(tensor(decoderWeight, [m, d]));
            sae.DecoderBias.copy_(tensor(decoderBias, [d]));
        }

        return new SparseAutoencoderTransformer(environment, options, sae, metrics);
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : ArdRowMapper
    {
        private readonly SparseAutoencoderTransformer _parent;

        public Mapper(SparseAutoencoderTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, parent.Name)
        {
            _parent = parent;
            var column = ArdSchemaShapes.RequireColumn(inputSchema, parent._options.InputColumnName, ExpectedInput,
                type => type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float));
            int d = WidthOf((VectorDataViewType)column.Type, parent._options.InputColumnName);
            if (d != parent.Autoencoder.InputDim)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"Column '{parent._options.InputColumnName}' has frames of width {d}, but the SAE was trained on width {parent.Autoencoder.InputDim}.");
            }

            InputColumns = [column];
            OutputColumns = OutputColumnsFor(parent._options, parent.Autoencoder.LatentCount);
        }

        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output)
        {
            var getter = input.GetGetter<VBuffer<float>>(InputColumns[0]);
            var buffer = default(VBuffer<float>);
            var sae = _parent.Autoencoder;
            var options = _parent._options;
            int m = sae.LatentCount;
            int k = sae.CodeWidth;
            int d = sae.InputDim;
            var encoder = new SparseAutoencoderEncoder(sae, batchFrames: 256);
            var meanScratch = new float[m];
            var coverageScratch = new float[m];
            float[] frames = [];
            return row =>
            {
                getter(ref buffer);
                if (buffer.Length % d != 0)
                {
                    throw new InvalidDataException(
                        $"Column '{options.InputColumnName}' holds {buffer.Length} values, not a whole number of frames of width {d}.");
                }

                if (frames.Length != buffer.Length)
                {
                    frames = new float[buffer.Length];
                }

                buffer.CopyTo(frames);
                int frameCount = frames.Length / d;
                var mean = row.IsActive(0) ? row.VectorBuffer<float>(0, m) : meanScratch;
                var coverage = row.IsActive(1) ? row.VectorBuffer<float>(1, m) : coverageScratch;
                bool codes = options.OutputCodes && (row.IsActive(2) || row.IsActive(3));
                if (codes)
                {
                    var values = row.IsActive(2) ? row.VectorBuffer<float>(2, frameCount * k) : new float[frameCount * k];
                    var indices = row.IsActive(3) ? row.VectorBuffer<int>(3, frameCount * k) : new int[frameCount * k];
                    encoder.ComputeStatistics(frames, mean, coverage, options.MeanMode, values, indices);
                }
                else if (row.IsActive(0) || row.IsActive(1))
                {
                    encoder.ComputeStatistics(frames, mean, coverage, options.MeanMode);
                }

                return true;
            };
        }
    }
}
