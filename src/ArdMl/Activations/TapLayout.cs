using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>
/// How a tap's output tensor maps to frames × d: which axis holds the batch (one entry per window or chunk), which axis
/// is time (frames inside that window; none means one frame per window), and every other axis flattens, in order,
/// into the d features of a frame.
/// </summary>
public sealed class TapLayout
{
    /// <summary>The default layout: batch on axis 0, no time axis (one frame per window, all other axes are d).</summary>
    public static TapLayout Default { get; } = new();

    /// <summary>Axis of the batch (windows or chunks).</summary>
    [JsonPropertyName("batchAxis")]
    public int BatchAxis { get; init; }

    /// <summary>Axis of time inside one window, or null when a window gives one frame.</summary>
    [JsonPropertyName("timeAxis")]
    public int? TimeAxis { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"batch axis {BatchAxis}, time axis {(TimeAxis is { } t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}";
}
