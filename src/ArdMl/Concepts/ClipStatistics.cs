using System.Numerics;

namespace ArdMl.Concepts;

/// <summary>
/// Per-clip statistics of frame-level activations: mean activation μ and coverage c per unit, and the mean-pooled
/// clip embedding. Used for the "raw neurons" baseline (statistics taken directly on a layer's activations) and as
/// the default clip embedding of the monosemanticity score.
/// </summary>
public static class ClipStatistics
{
    /// <summary>
    /// Computes μ and c for each of the <paramref name="width"/> units of row-major <paramref name="frames"/>
    /// (frames × width). A unit fires in a frame when its value is strictly greater than
    /// <paramref name="firingThreshold"/>; it is then treated like a Top-K SAE latent (a ReLU output): its value
    /// counts where it fires and is 0 elsewhere. So c = (frames where x &gt; θ) / frames and, with
    /// <see cref="ClipMeanMode.AllFrames"/>, μ = Σ_{x &gt; θ} x / frames. With θ = 0 (default) this is exactly the
    /// definition used for SAE latents applied to the ReLU of the raw activations. A clip with no frames gives zeros.
    /// </summary>
    /// <param name="frames">Activations, frames × width, row-major.</param>
    /// <param name="width">Number of units per frame (d).</param>
    /// <param name="meanActivation">Receives μ, length <paramref name="width"/>.</param>
    /// <param name="coverage">Receives c, length <paramref name="width"/>.</param>
    /// <param name="firingThreshold">θ: a unit fires where its value is &gt; θ. Default 0.</param>
    /// <param name="meanMode">What μ averages over. Default <see cref="ClipMeanMode.AllFrames"/>.</param>
    public static void FromFrames(
        ReadOnlySpan<float> frames,
        int width,
        Span<float> meanActivation,
        Span<float> coverage,
        float firingThreshold = 0f,
        ClipMeanMode meanMode = ClipMeanMode.AllFrames)
    {
        ValidateShape(frames, width, nameof(frames));
        if (meanActivation.Length != width || coverage.Length != width)
        {
            throw new ArgumentException(
                $"meanActivation and coverage must have length {width} (the frame width); got {meanActivation.Length} and {coverage.Length}.");
        }

        if (float.IsNaN(firingThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(firingThreshold), "The firing threshold must be a number.");
        }

        meanActivation.Clear();
        coverage.Clear();
        var frameCount = frames.Length / width;
        if (frameCount == 0)
        {
            return;
        }

        var threshold = new Vector<float>(firingThreshold);
        var one = Vector<float>.One;
        for (var f = 0; f < frameCount; f++)
        {
            var row = frames.Slice(f * width, width);
            var i = 0;
            for (; i <= width - Vector<float>.Count; i += Vector<float>.Count)
            {
                var x = new Vector<float>(row[i..]);
                var fires = Vector.GreaterThan(x, threshold);
                var sum = new Vector<float>(meanActivation[i..]) + Vector.ConditionalSelect(fires, x, Vector<float>.Zero);
                var count = new Vector<float>(coverage[i..]) + Vector.ConditionalSelect(fires, one, Vector<float>.Zero);
                sum.CopyTo(meanActivation[i..]);
                count.CopyTo(coverage[i..]);
            }

            for (; i < width; i++)
            {
                var x = row[i];
                if (x > firingThreshold)
                {
                    meanActivation[i] += x;
                    coverage[i] += 1f;
                }
            }
        }

        for (var i = 0; i < width; i++)
        {
            var firing = coverage[i];
            if (meanMode == ClipMeanMode.ActiveFrames)
            {
                meanActivation[i] = firing > 0 ? meanActivation[i] / firing : 0f;
            }
            else
            {
                meanActivation[i] /= frameCount;
            }

            coverage[i] = firing / frameCount;
        }
    }

    /// <summary>
    /// Mean-pools row-major <paramref name="frames"/> (frames × width) into <paramref name="embedding"/> (length
    /// width): the default clip embedding of the monosemanticity score. A clip with no frames gives zeros.
    /// </summary>
    public static void MeanPool(ReadOnlySpan<float> frames, int width, Span<float> embedding)
    {
        ValidateShape(frames, width, nameof(frames));
        if (embedding.Length != width)
        {
            throw new ArgumentException($"embedding must have length {width} (the frame width); got {embedding.Length}.", nameof(embedding));
        }

        embedding.Clear();
        var frameCount = frames.Length / width;
        if (frameCount == 0)
        {
            return;
        }

        for (var f = 0; f < frameCount; f++)
        {
            var row = frames.Slice(f * width, width);
            var i = 0;
            for (; i <= width - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(embedding[i..]) + new Vector<float>(row[i..])).CopyTo(embedding[i..]);
            }

            for (; i < width; i++)
            {
                embedding[i] += row[i];
            }
        }

        var scale = 1f / frameCount;
        for (var i = 0; i < width; i++)
        {
            embedding[i] *= scale;
        }
    }

    private static void ValidateShape(ReadOnlySpan<float> frames, int width, string name)
    {
        if (width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The frame width must be positive.");
        }

        if (frames.Length % width != 0)
        {
            throw new ArgumentException(
                $"{name} holds {frames.Length} values, which is not a whole number of frames of width {width}.", name);
        }
    }
}
