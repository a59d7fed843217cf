using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>An affine map applied to every mel value before the embedding model: x × Scale + Offset.</summary>
public sealed class MelTransformDescription
{
    /// <summary>Multiplier (openWakeWord: 0.1, i.e. x / 10).</summary>
    [JsonPropertyName("scale")]
    public float Scale { get; init; } = 1f;

    /// <summary>Offset added after scaling (openWakeWord: 2).</summary>
    [JsonPropertyName("offset")]
    public float Offset { get; init; }
}
