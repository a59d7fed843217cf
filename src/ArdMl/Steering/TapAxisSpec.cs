using System.Globalization;

namespace ArdMl.Steering;

/// <summary>
/// How a tap tensor's axes map to the frames × d matrix the SAE and the steering see. The frame axes are flattened
/// row-major (in the order given) into frames, the feature axes likewise into d; every other axis must have size 1.
/// For example Silero VAD's encoder output [batch, 128, time] is <see cref="ChannelsFirst"/> (frames = batch × time,
/// d = 128); a transformer's residual stream [batch, tokens, hidden] is <see cref="ChannelsLast"/>; a 2-D convolution
/// in NHWC layout [batch, time, mel, channels] can use frames = {0, 1} and features = {2, 3} or {3} (with mel = 1).
/// Negative axes count from the end.
/// </summary>
/// <param name="FrameAxes">Axes flattened into frames.</param>
/// <param name="FeatureAxes">Axes flattened into the feature width d.</param>
public sealed record TapAxisSpec(IReadOnlyList<int> FrameAxes, IReadOnlyList<int> FeatureAxes)
{
    /// <summary>[batch, d, time, …]: frames = axes 0 and 2, d = axis 1.</summary>
    public static TapAxisSpec ChannelsFirst { get; } = new([0, 2], [1]);

    /// <summary>[batch, time, d]: frames = axes 0 and 1, d = axis 2.</summary>
    public static TapAxisSpec ChannelsLast { get; } = new([0, 1], [2]);

    /// <summary>Parses <c>frames=0,2;features=1</c> (either order, spaces allowed; <c>frames=</c> may be empty).</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static TapAxisSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<int>? frames = null, features = null;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2)
            {
                throw new FormatException($"Tap axis spec '{text}': '{part}' is not key=axes (expected 'frames=0,2;features=1').");
            }

            var axes = new List<int>();
            foreach (var item in pair[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                axes.Add(int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var axis)
                    ? axis
                    : throw new FormatException($"Tap axis spec '{text}': '{item}' is not an axis number."));
            }

            switch (pair[0].ToLowerInvariant())
            {
                case "frames":
                    frames = axes;
                    break;
                case "features":
                    features = axes;
                    break;
                default:
                    throw new FormatException($"Tap axis spec '{text}': unknown key '{pair[0]}' (expected 'frames' or 'features').");
            }
        }

        if (features is null || features.Count == 0)
        {
            throw new FormatException($"Tap axis spec '{text}' names no feature axis (expected 'frames=0,2;features=1').");
        }

        return new TapAxisSpec(frames ?? [], features);
    }

    /// <summary>Resolves the spec against a concrete tap shape.</summary>
    /// <exception cref="ArgumentException">An axis is out of range or repeated, or a remaining axis is not of size 1.</exception>
    public TapFrameLayout Resolve(IReadOnlyList<long> shape) => new(this, shape);

    /// <inheritdoc />
    public override string ToString() => $"frames={string.Join(",", FrameAxes)};features={string.Join(",", FeatureAxes)}";
}
