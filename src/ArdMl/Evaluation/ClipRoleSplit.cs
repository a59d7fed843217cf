using System.Globalization;
using ArdMl.Concepts;

namespace ArdMl.Evaluation;

/// <summary>What a clip is used for in one fold of the interpretability benchmark.</summary>
public enum ClipRole
{
    /// <summary>Ranking (H/L sets), monosemanticity, naming and concept selection see only these clips and their texts.</summary>
    Discovery,

    /// <summary>Each concept's detection threshold is chosen on these clips.</summary>
    Calibration,

    /// <summary>The reported figures are computed on these clips.</summary>
    Evaluation,
}

/// <summary>One fold: a role for every clip.</summary>
/// <param name="Name">The fold's name (the evaluation group, or "hash split").</param>
/// <param name="Roles">The role of each clip id.</param>
public sealed record ClipRoleFold(string Name, IReadOnlyDictionary<string, ClipRole> Roles)
{
    /// <summary>The clips of <paramref name="role"/>, in ordinal order.</summary>
    public IReadOnlyList<string> ClipsOf(ClipRole role) =>
        [.. Roles.Where(p => p.Value == role).Select(p => p.Key).Order(StringComparer.Ordinal)];
}

/// <summary>
/// Assigns every clip of a run to exactly one role — discovery, calibration or evaluation — so that no step of the
/// benchmark sees the clips it is scored on. Without a group pattern: one fold, split by clip-id hash
/// (<see cref="HeldOutClipSplit.Hash"/>) into <see cref="DiscoveryFraction"/>, <see cref="CalibrationFraction"/> and the
/// rest for evaluation. With a group pattern (<see cref="ClipGroupPattern"/>): roles go to whole groups, so discovery,
/// calibration and evaluation never share a group; with n ≥ 3 groups in ordinal order there are n folds, fold i
/// evaluating group i, calibrating on group i + 1 (cyclically) and discovering on the rest.
/// </summary>
public sealed class ClipRoleSplit
{
    /// <summary>Share of clips for discovery in a hash split; default 0.5.</summary>
    public double DiscoveryFraction { get; init; } = 0.5;

    /// <summary>Share of clips for calibration in a hash split; default 0.2 (evaluation takes the remaining 0.3).</summary>
    public double CalibrationFraction { get; init; } = 0.2;

    /// <summary>Salt of the hash split; default 0.</summary>
    public ulong Salt { get; init; }

    /// <summary>The folds for <paramref name="clipIds"/>.</summary>
    /// <param name="clipIds">Every clip of the run.</param>
    /// <param name="groupPattern">The group pattern, or null for a hash split.</param>
    /// <exception cref="ArgumentException">A clip does not match the pattern, fewer than 3 groups, or a role is left empty.</exception>
    public IReadOnlyList<ClipRoleFold> Folds(IReadOnlyList<string> clipIds, string? groupPattern)
    {
        ArgumentNullException.ThrowIfNull(clipIds);
        if (!(DiscoveryFraction > 0 && CalibrationFraction > 0 && DiscoveryFraction + CalibrationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DiscoveryFraction), "The discovery and calibration fractions must be positive and sum to less than 1.");
        }

        if (groupPattern is null)
        {
            var roles = new Dictionary<string, ClipRole>(StringComparer.Ordinal);
            foreach (var clip in clipIds)
            {
                var u = (HeldOutClipSplit.Hash(clip, Salt) >> 11) * (1.0 / (1UL << 53));
                roles[clip] = u < DiscoveryFraction ? ClipRole.Discovery
                    : u < DiscoveryFraction + CalibrationFraction ? ClipRole.Calibration
                    : ClipRole.Evaluation;
            }

            return [Checked(new ClipRoleFold("hash split", roles), clipIds.Count)];
        }

        var pattern = ClipGroupPattern.Create(groupPattern);
        var groupOf = clipIds.ToDictionary(c => c, pattern.GroupOf, StringComparer.Ordinal);
        var groups = groupOf.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (groups.Count < 3)
        {
            throw new ArgumentException(
                $"The group pattern '{groupPattern}' finds {groups.Count} group(s) ({string.Join(", ", groups)}); group-disjoint discovery, calibration and evaluation need at least 3.");
        }

        var folds = new List<ClipRoleFold>(groups.Count);
        for (var i = 0; i < groups.Count; i++)
        {
            var evaluation = groups[i];
            var calibration = groups[(i + 1) % groups.Count];
            var roles = groupOf.ToDictionary(
                p => p.Key,
                p => p.Value == evaluation ? ClipRole.Evaluation : p.Value == calibration ? ClipRole.Calibration : ClipRole.Discovery,
                StringComparer.Ordinal);
            folds.Add(Checked(new ClipRoleFold(evaluation, roles), clipIds.Count));
        }

        return folds;
    }

    private static ClipRoleFold Checked(ClipRoleFold fold, int clips)
    {
        foreach (var role in Enum.GetValues<ClipRole>())
        {
            if (!fold.Roles.Values.Contains(role))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Fold '{fold.Name}' of {clips} clips has no {role.ToString().ToLowerInvariant()} clips; use more clips or another split."));
            }
        }

        return fold;
    }
}
