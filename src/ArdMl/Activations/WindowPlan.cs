namespace ArdMl.Activations;

/// <summary>
/// One window (or recurrent chunk) of a clip: its first unit (sample or mel frame), how many units of the clip it
/// holds, and whether a clip shorter than a window is looped to fill it.
/// </summary>
internal readonly record struct WindowPlan(int Start, int Valid, bool Loop)
{
    /// <summary>
    /// The windows of a clip of <paramref name="units"/> units: full windows every <paramref name="hop"/> units, then
    /// a padded tail or a short clip's single window as the description's policies say.
    /// </summary>
    public static List<WindowPlan> For(int units, int window, int hop, ShortClipPolicy shortClip, ClipTailPolicy tail)
    {
        var plan = new List<WindowPlan>();
        if (units <= 0)
        {
            return plan;
        }

        if (units < window)
        {
            switch (shortClip)
            {
                case ShortClipPolicy.Pad:
                    plan.Add(new WindowPlan(0, units, Loop: false));
                    break;
                case ShortClipPolicy.Loop:
                    plan.Add(new WindowPlan(0, window, Loop: true));
                    break;
                default:
                    break;
            }

            return plan;
        }

        var start = 0;
        for (; start + window <= units; start += hop)
        {
            plan.Add(new WindowPlan(start, window, Loop: false));
        }

        var covered = plan[^1].Start + window;
        if (tail == ClipTailPolicy.Pad && covered < units && start < units)
        {
            plan.Add(new WindowPlan(start, units - start, Loop: false));
        }

        return plan;
    }

    /// <summary>
    /// Frames of this window kept for the clip: all of a full (or looped) window, else ceil(frames × valid share) and
    /// at least one.
    /// </summary>
    public int KeptFrames(int frames, int unitsPerWindow) =>
        Loop || Valid >= unitsPerWindow ? frames : Math.Max(1, (int)Math.Ceiling((double)frames * Valid / unitsPerWindow));

    /// <summary>
    /// Copies this window's units (each <paramref name="unitWidth"/> values) from a clip's units into
    /// <paramref name="destination"/>: looped for a looped short clip, else zero-padded past the clip's end.
    /// </summary>
    public void CopyUnits(ReadOnlySpan<float> units, int availableUnits, int unitsPerWindow, int unitWidth, Span<float> destination)
    {
        if (Loop && availableUnits < unitsPerWindow)
        {
            for (var u = 0; u < unitsPerWindow; u++)
            {
                units.Slice((u % availableUnits) * unitWidth, unitWidth).CopyTo(destination.Slice(u * unitWidth, unitWidth));
            }

            return;
        }

        var copy = Math.Min(unitsPerWindow, availableUnits - Start);
        units.Slice(Start * unitWidth, copy * unitWidth).CopyTo(destination);
        destination[(copy * unitWidth)..(unitsPerWindow * unitWidth)].Clear();
    }
}
