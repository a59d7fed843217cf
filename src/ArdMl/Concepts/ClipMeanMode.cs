namespace ArdMl.Concepts;

/// <summary>
/// What a clip's mean activation μ averages over, for SAE latents (the SAE stage's "MeanActivation") and raw units
/// alike. With all frames μ = ā·c (ā: the mean over the frames where the unit fires), so r = μ·c = ā·c².
/// </summary>
public enum ClipMeanMode
{
    /// <summary>Default (the paper): mean over all frames of the clip, silent frames counted as zero.</summary>
    AllFrames = 0,

    /// <summary>Mean over the frames where the unit fires only (0 where it never fires).</summary>
    ActiveFrames = 1,
}
