using System.Runtime.CompilerServices;

namespace ArdMl.Audio;

/// <summary>Down-mixes interleaved multi-channel samples to mono by averaging the channels.</summary>
internal static class AudioChannelMixer
{
    /// <summary>Averages <paramref name="channels"/> interleaved float channels into <paramref name="mono"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Downmix(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        switch (channels)
        {
            case 1:
                interleaved[..mono.Length].CopyTo(mono);
                return;
            case 2:
                for (int i = 0, j = 0; i < mono.Length; i++, j += 2)
                {
                    mono[i] = (interleaved[j] + interleaved[j + 1]) * 0.5f;
                }

                return;
            default:
                var weight = 1f / channels;
                for (int i = 0, j = 0; i < mono.Length; i++)
                {
                    var sum = 0f;
                    for (var c = 0; c < channels; c++, j++)
                    {
                        sum += interleaved[j];
                    }

                    mono[i] = sum * weight;
                }

                return;
        }
    }

    /// <summary>Averages interleaved integer channels into <paramref name="mono"/>, scaling by <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DownmixIntegers(ReadOnlySpan<int> interleaved, int channels, float scale, Span<float> mono)
    {
        switch (channels)
        {
            case 1:
                for (var i = 0; i < mono.Length; i++)
                {
                    mono[i] = interleaved[i] * scale;
                }

                return;
            case 2:
                var half = scale * 0.5f;
                for (int i = 0, j = 0; i < mono.Length; i++, j += 2)
                {
                    mono[i] = ((long)interleaved[j] + interleaved[j + 1]) * half;
                }

                return;
            default:
                var weight = scale / channels;
                for (int i = 0, j = 0; i < mono.Length; i++)
                {
                    long sum = 0;
                    for (var c = 0; c < channels; c++, j++)
                    {
                        sum += interleaved[j];
                    }

                    mono[i] = sum * weight;
                }

                return;
        }
    }
}
