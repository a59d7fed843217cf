using System.Buffers;

namespace ArdMl.Audio;

/// <summary>
/// Mono samples decoded for the loader: the first <see cref="Length"/> values of <see cref="Buffer"/>, which is rented
/// from <see cref="ArrayPool{T}.Shared"/> when <see cref="IsRented"/> (a buffer that is only resampled and dropped, so
/// a fresh multi-megabyte array, and its page faults, are not paid per file).
/// </summary>
internal readonly record struct MonoSamples(float[] Buffer, int Length, int SampleRate, bool IsRented)
{
    /// <summary>The samples.</summary>
    public ReadOnlySpan<float> Span => Buffer.AsSpan(0, Length);

    /// <summary>A buffer for <paramref name="length"/> samples: rented when <paramref name="rent"/>, else exact and new.</summary>
    public static float[] Allocate(int length, bool rent) =>
        rent ? ArrayPool<float>.Shared.Rent(length) : GC.AllocateUninitializedArray<float>(length);

    /// <summary>The samples as an array of exactly <see cref="Length"/> values that the caller owns.</summary>
    public float[] ToOwnedArray()
    {
        if (!IsRented && Buffer.Length == Length)
        {
            return Buffer;
        }

        var owned = Span.ToArray();
        Return();
        return owned;
    }

    /// <summary>Gives a rented buffer back to the pool (no effect otherwise); the samples must not be used afterwards.</summary>
    public void Return()
    {
        if (IsRented)
        {
            ArrayPool<float>.Shared.Return(Buffer);
        }
    }
}
