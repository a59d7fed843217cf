namespace ArdMl.Steering;

/// <summary>One raw neuron's mean activation inside and outside a label, as ranked by <see cref="LabelContrastNeuronSelector"/>.</summary>
/// <param name="Neuron">The tap dimension.</param>
/// <param name="MeanWithLabel">Mean over the labelled clips of the neuron's clip-mean activation.</param>
/// <param name="MeanWithoutLabel">The same over the other clips.</param>
public sealed record NeuronContrast(int Neuron, double MeanWithLabel, double MeanWithoutLabel)
{
    /// <summary><see cref="MeanWithLabel"/> − <see cref="MeanWithoutLabel"/>.</summary>
    public double Difference => MeanWithLabel - MeanWithoutLabel;
}

/// <summary>
/// The raw-neuron baseline chosen by the same rule as <see cref="LabelContrastLatentSelector"/>, before any steering
/// run: each tap dimension's clip-mean activation is averaged over the clips with the label and over the clips without
/// it, and dimensions are ranked by the difference (largest first; ties go to the lowest index). Steering the first one
/// upward is the neuron counterpart of steering the label's latent.
/// </summary>
public static class LabelContrastNeuronSelector
{
    /// <summary>Ranks every tap dimension by its label contrast.</summary>
    /// <param name="clipFrames">Each clip's unsteered tap frames (row-major frames × <paramref name="width"/>, from
    /// <see cref="ISteeringModel.CollectTapFrames"/>) with whether the clip carries the label; both groups must hold a
    /// clip with frames.</param>
    /// <param name="width">The tap width d.</param>
    public static IReadOnlyList<NeuronContrast> Rank(IReadOnlyList<(float[] Frames, bool HasLabel)> clipFrames, int width)
    {
        ArgumentNullException.ThrowIfNull(clipFrames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var sums = new LabelContrastSums(width);
        foreach (var (frames, hasLabel) in clipFrames)
        {
            if (frames.Length % width != 0)
            {
                throw new ArgumentException($"Tap frames must be row-major frames × {width}; a clip has {frames.Length} values.", nameof(clipFrames));
            }

            int frameCount = frames.Length / width;
            if (frameCount == 0)
            {
                continue;
            }

            var side = sums.SumsOfNextClip(hasLabel);
            for (int i = 0; i < frames.Length; i++)
            {
                side[i % width] += frames[i] / (double)frameCount;
            }
        }

        return [.. sums.Ranked(nameof(clipFrames)).Select(u => new NeuronContrast(u.Unit, u.MeanWithLabel, u.MeanWithoutLabel))];
    }
}
