using ArdMl.Concepts;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Pipeline;

/// <summary>
/// Per-clip statistics a run keeps for the benchmark (clip-statistics.idv, ML.NET binary format): the SAE's
/// MeanActivation and Coverage (m each), the raw tap units' μ and c (d each, <see cref="ClipStatistics.FromFrames"/>)
/// and the mean-pooled activations (d) used as clip embeddings for monosemanticity.
/// </summary>
public sealed class ClipStatisticsStore
{
    internal ClipStatisticsStore(int latentCount, int width)
    {
        LatentCount = latentCount;
        Width = width;
    }

    /// <summary>SAE latents m.</summary>
    public int LatentCount { get; }

    /// <summary>Activation width d.</summary>
    public int Width { get; }

    /// <summary>Clip ids in run order.</summary>
    public List<string> ClipIds { get; } = [];

    /// <summary>SAE mean activation per clip (m values).</summary>
    public List<float[]> MeanActivation { get; } = [];

    /// <summary>SAE coverage per clip (m values).</summary>
    public List<float[]> Coverage { get; } = [];

    /// <summary>Raw unit mean activation per clip (d values).</summary>
    public List<float[]> RawMeanActivation { get; } = [];

    /// <summary>Raw unit coverage per clip (d values).</summary>
    public List<float[]> RawCoverage { get; } = [];

    /// <summary>Mean-pooled activations per clip (d values).</summary>
    public List<float[]> Embedding { get; } = [];

    internal void Add(string clip, float[] mean, float[] coverage, ReadOnlySpan<float> frames)
    {
        var rawMean = new float[Width];
        var rawCoverage = new float[Width];
        var embedding = new float[Width];
        ClipStatistics.FromFrames(frames, Width, rawMean, rawCoverage);
        ClipStatistics.MeanPool(frames, Width, embedding);
        ClipIds.Add(clip);
        MeanActivation.Add(mean);
        Coverage.Add(coverage);
        RawMeanActivation.Add(rawMean);
        RawCoverage.Add(rawCoverage);
        Embedding.Add(embedding);
    }

    /// <summary>Writes the statistics as an ML.NET binary data file.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The .idv file to write.</param>
    public void Save(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var rows = ClipIds.Select((id, i) => new Row
        {
            Clip = id,
            MeanActivation = MeanActivation[i],
            Coverage = Coverage[i],
            RawMeanActivation = RawMeanActivation[i],
            RawCoverage = RawCoverage[i],
            Embedding = Embedding[i],
        });
        Write(mlContext, path, LatentCount, Width, rows);
    }

    /// <summary>Writes rows as they are enumerated (one at a time in memory): the file <see cref="Save"/> writes.</summary>
    internal static void Write(MLContext mlContext, string path, int latentCount, int width, IEnumerable<Row> rows)
    {
        var data = mlContext.Data.LoadFromEnumerable(rows, Schema(latentCount, width));
        using var stream = File.Create(path);
        mlContext.Data.SaveAsBinary(data, stream, keepHidden: false);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> naming the file when a column is missing.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The .idv file.</param>
    public static ClipStatisticsStore Load(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Clip statistics '{path}' do not exist; rerun 'ard discover' with this build.", path);
        }

        var data = mlContext.Data.LoadFromBinary(path);
        int Size(string column) => data.Schema.GetColumnOrNull(column) is { Type: VectorDataViewType { Size: > 0 and var size } }
            ? size
            : throw new InvalidDataException($"'{path}': column '{column}' is missing or not a known-size vector.");
        var store = new ClipStatisticsStore(Size(nameof(Row.MeanActivation)), Size(nameof(Row.Embedding)));
        foreach (var row in mlContext.Data.CreateEnumerable<Row>(data, reuseRowObject: false, ignoreMissingColumns: false, Schema(store.LatentCount, store.Width)))
        {
            store.ClipIds.Add(row.Clip);
            store.MeanActivation.Add(row.MeanActivation);
            store.Coverage.Add(row.Coverage);
            store.RawMeanActivation.Add(row.RawMeanActivation);
            store.RawCoverage.Add(row.RawCoverage);
            store.Embedding.Add(row.Embedding);
        }

        return store;
    }

    internal static SchemaDefinition Schema(int latents, int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.MeanActivation)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, latents);
        schema[nameof(Row.Coverage)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, latents);
        schema[nameof(Row.RawMeanActivation)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Row.RawCoverage)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Row.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    /// <summary>One clip's statistics, the row type of the file.</summary>
    internal sealed class Row
    {
        public string Clip { get; set; } = "";

        public float[] MeanActivation { get; set; } = [];

        public float[] Coverage { get; set; } = [];

        public float[] RawMeanActivation { get; set; } = [];

        public float[] RawCoverage { get; set; } = [];

        public float[] Embedding { get; set; } = [];
    }
}
