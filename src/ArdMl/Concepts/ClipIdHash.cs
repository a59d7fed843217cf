namespace ArdMl.Concepts;

/// <summary>Stable (process- and platform-independent) hashes of clip ids.</summary>
internal static class ClipIdHash
{
    /// <summary>FNV-1a 64 over the UTF-16 code units, finished with a SplitMix64 mix.</summary>
    public static ulong Hash64(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in id)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>Two independent 64-bit hashes, for duplicate detection (false positives ~ n²/2¹²⁹).</summary>
    public static UInt128 Hash128(string id)
    {
        var second = 0x9E3779B97F4A7C15UL ^ (ulong)id.Length;
        foreach (var ch in id)
        {
            second = Mix(second ^ ch);
        }

        return new UInt128(Hash64(id), second);
    }

    /// <summary>A pseudo-random key in (0, 1] for (clip, latent, seed), exactly representable as a float.</summary>
    public static float UnitKey(ulong clipHash, int latent, ulong seed)
    {
        var x = Mix(clipHash ^ (seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)latent * 0xD1B54A32D192ED03UL));
        return ((x >> 40) + 1) * (1f / 16777216f);
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
