using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>An extra model input with a constant value (Silero's <c>sr</c>: int64 scalar 16000).</summary>
public sealed class ConstantInputDescription
{
    /// <summary>Model input name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>Element type: <c>float32</c>, <c>int64</c> or <c>int32</c>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "float32";

    /// <summary>Shape; empty for a scalar.</summary>
    [JsonPropertyName("shape")]
    public int[] Shape { get; init; } = [];

    /// <summary>Values, row-major; their count must equal the product of <see cref="Shape"/>.</summary>
    [JsonPropertyName("values")]
    public double[] Values { get; init; } = [];
}
