using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>
/// A recurrent state tensor carried between chunks: fed to <see cref="Input"/> (zeros for the first chunk of a clip)
/// and read back from <see cref="Output"/> after each chunk.
/// </summary>
public sealed class StateTensorDescription
{
    /// <summary>Name of the model input that receives the state.</summary>
    [JsonPropertyName("input")]
    public string Input { get; init; } = "";

    /// <summary>Name of the model output that holds the next state.</summary>
    [JsonPropertyName("output")]
    public string Output { get; init; } = "";

    /// <summary>Shape of the state, with -1 marking the batch axis (Silero: [2, -1, 128]).</summary>
    [JsonPropertyName("shape")]
    public int[] Shape { get; init; } = [];
}
