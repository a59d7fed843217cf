namespace ArdMl.Steering;

/// <summary>
/// Passes an intervention through and records the L2 norm of the change it makes to each frame it changes, so that a
/// target's change can be put per unit of edit norm whatever the mode (set, add, scale) and direction.
/// </summary>
internal sealed class EditNormMeter(IActivationIntervention inner) : IActivationIntervention
{
    private double _normSum;

    /// <summary>Frames the intervention changed so far.</summary>
    public long ChangedFrames { get; private set; }

    /// <summary>Mean L2 norm of the change over the changed frames (0 when none changed).</summary>
    public double MeanNorm => ChangedFrames == 0 ? 0 : _normSum / ChangedFrames;

    /// <inheritdoc />
    public int Width => inner.Width;

    /// <inheritdoc />
    public string Description => inner.Description;

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> frames, int firstFrame = 0)
    {
        var edited = inner.Apply(frames, firstFrame);
        int d = Width;
        for (int f = 0; f < frames.Length / d; f++)
        {
            double squares = 0;
            for (int j = 0; j < d; j++)
            {
                double change = edited[(f * d) + j] - frames[(f * d) + j];
                squares += change * change;
            }

            if (squares > 0)
            {
                _normSum += Math.Sqrt(squares);
                ChangedFrames++;
            }
        }

        return edited;
    }
}
