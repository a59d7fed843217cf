namespace ArdMl.Steering;

/// <summary>One steering edit: mode, strength, unit and the frames it applies to.</summary>
/// <param name="Mode">Set, add or scale.</param>
/// <param name="Strength">The value set or added, or the scale factor.</param>
/// <param name="Units">The unit of <paramref name="Strength"/> for set and add (ignored for scale).</param>
/// <param name="Frames">Clip-level frame indices to edit (numbered across the clip as
/// <see cref="ISteeringModel.CollectTapFrames"/> returns them); null edits every frame.</param>
public sealed record SteeringEdit(
    SteeringMode Mode, double Strength, SteeringUnits Units = SteeringUnits.CodeValue, IReadOnlyList<int>? Frames = null)
{
    internal bool[] FrameMask(int frameCount, int firstFrame)
    {
        if (!double.IsFinite(Strength))
        {
            throw new ArgumentException($"The steering strength must be finite; got {Strength}.");
        }

        var mask = new bool[frameCount];
        if (Frames is null)
        {
            Array.Fill(mask, true);
            return mask;
        }

        foreach (var f in Frames)
        {
            if (f >= firstFrame && f - firstFrame < frameCount)
            {
                mask[f - firstFrame] = true;
            }
        }

        return mask;
    }

    internal double Apply(double current, double unitScale) => Mode switch
    {
        SteeringMode.Set => Strength * unitScale,
        SteeringMode.Add => current + (Strength * unitScale),
        SteeringMode.Scale => current * Strength,
        _ => throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown steering mode."),
    };
}
