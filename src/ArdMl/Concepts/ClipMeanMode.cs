namespace ArdMl.Concepts;

/// <summary>What a clip's mean activation μ averages over.</summary>
public enum ClipMeanMode
{
    /// <summary>Default (the paper): mean over all frames of the clip, silent frames counted as zero.</summary>
    AllFrames = 0,

    /// <summary>Mean over the frames where the unit fires only (0 where it never fires).</summary>
    ActiveFrames = 1,
}
