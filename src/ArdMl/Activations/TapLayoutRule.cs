using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ArdMl.Activations;

/// <summary>
/// A rule of a model description that gives the <see cref="TapLayout"/> of the taps it matches: by exact name, by
/// regular expression, and optionally only for outputs of a given rank. The first matching rule wins.
/// </summary>
public sealed class TapLayoutRule
{
    /// <summary>Exact tap name, or a regular expression when <see cref="IsRegex"/> is true.</summary>
    [JsonPropertyName("match")]
    public string Match { get; init; } = "";

    /// <summary>Whether <see cref="Match"/> is a .NET regular expression (searched, not anchored unless it says so).</summary>
    [JsonPropertyName("regex")]
    public bool IsRegex { get; init; }

    /// <summary>When set, the rule only applies to outputs of this rank.</summary>
    [JsonPropertyName("rank")]
    public int? Rank { get; init; }

    /// <summary>Axis of the batch.</summary>
    [JsonPropertyName("batchAxis")]
    public int BatchAxis { get; init; }

    /// <summary>Axis of time, or null for one frame per window.</summary>
    [JsonPropertyName("timeAxis")]
    public int? TimeAxis { get; init; }

    /// <summary>Whether the rule applies to a tap of the given name and rank.</summary>
    public bool Matches(string tap, int rank) =>
        (Rank is null || Rank == rank) && (IsRegex ? Regex.IsMatch(tap, Match, RegexOptions.CultureInvariant) : string.Equals(tap, Match, StringComparison.Ordinal));

    /// <summary>The layout the rule gives.</summary>
    public TapLayout ToLayout() => new() { BatchAxis = BatchAxis, TimeAxis = TimeAxis };
}
