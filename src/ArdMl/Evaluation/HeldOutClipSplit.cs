using System.Text;

namespace ArdMl.Evaluation;

/// <summary>
/// Deterministic split of clips into a held-out calibration part (where each concept's threshold is chosen) and an
/// evaluation part (where metrics are reported). A clip's side depends only on its id and the salt, never on the order
/// or number of clips: <c>h = SplitMix64(FNV-1a-64(UTF-8 bytes of the id) XOR salt)</c>, <c>u = (h &gt;&gt; 11) · 2⁻⁵³</c>
/// ∈ [0, 1), and the clip is held out when <c>u &lt; fraction</c>.
/// </summary>
public static class HeldOutClipSplit
{
    /// <summary>The stable 64-bit hash of a clip id used by the split (see the class remarks).</summary>
    public static ulong Hash(string clipId, ulong salt = 0)
    {
        ArgumentNullException.ThrowIfNull(clipId);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(clipId))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var x = (hash ^ salt) + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Whether <paramref name="clipId"/> belongs to the held-out (calibration) part.</summary>
    /// <param name="clipId">The clip id.</param>
    /// <param name="heldOutFraction">Expected share of held-out clips, in (0, 1).</param>
    /// <param name="salt">Changes the split; 0 by default.</param>
    public static bool IsHeldOut(string clipId, double heldOutFraction, ulong salt = 0)
    {
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must lie in (0, 1).");
        }

        return (Hash(clipId, salt) >> 11) * (1.0 / (1UL << 53)) < heldOutFraction;
    }
}
