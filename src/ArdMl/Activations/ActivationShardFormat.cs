namespace ArdMl.Activations;

/// <summary>How an activation shard folder is laid out on disk (models/SHARDS.md).</summary>
public enum ActivationShardFormat
{
    /// <summary>ArdMl's own layout: manifest.json, index.jsonl and raw shard-NNNNN.bin files.</summary>
    Native,

    /// <summary>
    /// A Hugging Face dataset as <c>datasets.Dataset.save_to_disk</c> writes it: data-NNNNN-of-MMMMM.arrow files (Arrow
    /// IPC stream format), dataset_info.json and state.json; readable with <c>datasets.load_from_disk</c> and pyarrow.
    /// SAELens's cached activations are read too.
    /// </summary>
    Arrow,

    /// <summary>Apache Parquet files (part-NNNNN.parquet), readable by DuckDB, Spark, Polars and pandas.</summary>
    Parquet,
}
