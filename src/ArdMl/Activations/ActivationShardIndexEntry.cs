using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>One line of <c>index.jsonl</c>: where one clip's tokens × d values lie, with their checksum.</summary>
public sealed class ActivationShardIndexEntry
{
    /// <summary>Clip id.</summary>
    [JsonPropertyName("clip")]
    public string Clip { get; init; } = "";

    /// <summary>Shard file name (in the same folder).</summary>
    [JsonPropertyName("shard")]
    public string Shard { get; init; } = "";

    /// <summary>Byte offset of the clip's first value in the shard.</summary>
    [JsonPropertyName("offset")]
    public long Offset { get; init; }

    /// <summary>Number of tokens (rows); the clip occupies tokens × d × bytes-per-value bytes.</summary>
    [JsonPropertyName("tokens")]
    public int Tokens { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the clip's bytes.</summary>
    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = "";

    /// <summary>Free-form string metadata (source path, duration, label...).</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }
}
