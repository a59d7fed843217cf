namespace ArdMl.Steering;

/// <summary>One latent's mean activation inside and outside a label, as ranked by <see cref="LabelContrastLatentSelector"/>.</summary>
/// <param name="Latent">The latent.</param>
/// <param name="MeanWithLabel">Mean over the labelled clips of the latent's clip-mean activation (all frames, zeros included).</param>
/// <param name="MeanWithoutLabel">The same over the other clips.</param>
public sealed record LatentContrast(int Latent, double MeanWithLabel, double MeanWithoutLabel)
{
    /// <summary><see cref="MeanWithLabel"/> − <see cref="MeanWithoutLabel"/>.</summary>
    public double Difference => MeanWithLabel - MeanWithoutLabel;
}

/// <summary>One latent's decoder direction against a label's mean tap difference, as ranked by <see cref="LabelContrastLatentSelector.RankByProjection"/>.</summary>
/// <param name="Latent">The latent.</param>
/// <param name="Projection">ŵ·Δx̄: the label's mean tap difference projected on the latent's unit decoder direction.</param>
/// <param name="Cosine">The cosine between the two (the projection over ‖Δx̄‖).</param>
public sealed record LatentProjection(int Latent, double Projection, double Cosine);

/// <summary>
/// Picks the latent that stands for a label: every clip's tap frames (unsteered) are encoded by the SAE, each latent's
/// clip-mean activation is averaged over the clips with the label and over the clips without it, and latents are
/// ranked by the difference (largest first; ties go to the lowest index).
/// </summary>
public static class LabelContrastLatentSelector
{
    /// <summary>Ranks every latent by its label contrast.</summary>
    /// <param name="model">Gives the clips' tap frames.</param>
    /// <param name="autoencoder">Encodes the frames.</param>
    /// <param name="clips">The clips with whether each carries the label; both groups must be non-empty.</param>
    /// <param name="progress">Receives the number of clips encoded so far.</param>
    public static IReadOnlyList<LatentContrast> Rank(
        ISteeringModel model, ISteerableAutoencoder autoencoder, IReadOnlyList<(SteeringClip Clip, bool HasLabel)> clips, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(clips);
        if (model.TapWidth != autoencoder.InputDim)
        {
            throw new ArgumentException($"The SAE expects width {autoencoder.InputDim}; the model's tap has width {model.TapWidth}.", nameof(autoencoder));
        }

        var clipFrames = new List<(float[] Frames, bool HasLabel)>(clips.Count);
        for (int c = 0; c < clips.Count; c++)
        {
            clipFrames.Add((model.CollectTapFrames(clips[c].Clip.Samples), clips[c].HasLabel));
            progress?.Report(c + 1);
        }

        return Rank(clipFrames, autoencoder);
    }

    /// <summary>Ranks every latent by its label contrast over tap frames already collected.</summary>
    /// <param name="clipFrames">Each clip's unsteered tap frames (row-major frames × d) with whether it carries the
    /// label; both groups must hold a clip with frames.</param>
    /// <param name="autoencoder">Encodes the frames.</param>
    public static IReadOnlyList<LatentContrast> Rank(IReadOnlyList<(float[] Frames, bool HasLabel)> clipFrames, ISteerableAutoencoder autoencoder)
    {
        ArgumentNullException.ThrowIfNull(clipFrames);
        ArgumentNullException.ThrowIfNull(autoencoder);
        int m = autoencoder.LatentCount;
        var sums = new LabelContrastSums(m);
        foreach (var (frames, hasLabel) in clipFrames)
        {
            int frameCount = frames.Length / autoencoder.InputDim;
            if (frameCount == 0)
            {
                continue;
            }

            var codes = autoencoder.Encode(frames);
            var side = sums.SumsOfNextClip(hasLabel);
            for (int i = 0; i < codes.Values.Length; i++)
            {
                side[codes.Indices[i]] += codes.Values[i] / (double)frameCount;
            }
        }

        return [.. sums.Ranked(nameof(clipFrames)).Select(u => new LatentContrast(u.Unit, u.MeanWithLabel, u.MeanWithoutLabel))];
    }

    /// <summary>
    /// Ranks every latent by the rule that <see cref="LabelContrastNeuronSelector"/> applies to raw neurons, in the tap's
    /// own space: the label's mean tap difference Δx̄ (the clip-mean tap activations averaged over the labelled clips,
    /// minus the same over the others) projected on the latent's unit decoder direction ŵ = w/‖w‖, largest first (ties
    /// to the lowest index). A raw neuron's unit direction is its axis, so its projection is its own contrast: both
    /// baselines pick the unit direction of their kind along which the label's clips differ most. Latents with a zero
    /// decoder direction are left out.
    /// </summary>
    /// <param name="tapContrast">Every tap dimension's contrast (<see cref="LabelContrastNeuronSelector.Rank"/>, any order).</param>
    /// <param name="autoencoder">Gives the decoder directions (w = Decode(e_k) − Decode(0)).</param>
    public static IReadOnlyList<LatentProjection> RankByProjection(IReadOnlyList<NeuronContrast> tapContrast, ISteerableAutoencoder autoencoder)
    {
        ArgumentNullException.ThrowIfNull(tapContrast);
        ArgumentNullException.ThrowIfNull(autoencoder);
        int d = autoencoder.InputDim;
        if (tapContrast.Count != d)
        {
            throw new ArgumentException($"Expected the contrast of all {d} tap dimensions; got {tapContrast.Count}.", nameof(tapContrast));
        }

        var difference = new double[d];
        foreach (var neuron in tapContrast)
        {
            difference[neuron.Neuron] = neuron.Difference;
        }

        var differenceNorm = Math.Sqrt(difference.Sum(v => v * v));
        var ranked = new List<LatentProjection>(autoencoder.LatentCount);
        for (int k = 0; k < autoencoder.LatentCount; k++)
        {
            var direction = LatentIntervention.DecoderDirection(autoencoder, k);
            double dot = 0, norm = 0;
            for (int j = 0; j < d; j++)
            {
                double w = direction[j];
                dot += w * difference[j];
                norm += w * w;
            }

            if (norm > 0)
            {
                var projection = dot / Math.Sqrt(norm);
                ranked.Add(new LatentProjection(k, projection, differenceNorm > 0 ? projection / differenceNorm : 0));
            }
        }

        return [.. ranked.OrderByDescending(p => p.Projection).ThenBy(p => p.Latent)];
    }
}
