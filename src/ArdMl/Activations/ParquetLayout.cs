using Parquet.Schema;

namespace ArdMl.Activations;

/// <summary>
/// The Parquet layout of activations: part-NNNNN.parquet files, one row per frame with "clip" (string), "frame"
/// (int32) and "activations" (a list of d float32 values; float16 activations are stored widened to float32, exactly,
/// because DuckDB, Spark and Polars do not all read Parquet's FLOAT16 yet, and the header keeps dtype float16). The
/// footer's key-value metadata holds the header and the file's clip index under "ardml".
/// </summary>
internal static class ParquetLayout
{
    /// <summary>Row groups hold about this many values (a clip is never split across row groups).</summary>
    public const int RowGroupValues = 4 << 20;

    public static ParquetSchema Schema() => new(
        new DataField<string>(ArrowDatasetLayout.ClipColumn),
        new DataField<int>(ArrowDatasetLayout.FrameColumn),
        new ListField(ArrowDatasetLayout.ActivationsColumn, new DataField<float>("element")));
}
