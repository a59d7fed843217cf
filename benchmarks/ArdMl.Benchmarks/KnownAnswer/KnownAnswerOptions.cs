namespace ArdMl.Benchmarks.KnownAnswer;

/// <summary>
/// How <see cref="KnownAnswerGenerator"/> plants concepts in synthetic activations. Each clip has T frames of d values:
/// a few <em>sustained</em> concepts (its labels) on most frames at moderate magnitude, <em>brief loud</em> distractors
/// (other concepts on 1–3 consecutive frames, many times louder), a <em>faint bed</em> (other concepts on nearly every
/// frame at low magnitude) and Gaussian noise. Concepts are random unit directions, several times more than d
/// (superposition), so no single unit means one concept. The defaults are the benchmark's.
/// </summary>
public sealed record KnownAnswerOptions
{
    /// <summary>Activation width d. Default 48.</summary>
    public int Width { get; init; } = 48;

    /// <summary>Planted concepts (random unit directions in d dimensions); default 160 (3.3 × d).</summary>
    public int ConceptCount { get; init; } = 160;

    /// <summary>Clips. Default 800.</summary>
    public int ClipCount { get; init; } = 800;

    /// <summary>Fewest frames of a clip. Default 20.</summary>
    public int MinFrames { get; init; } = 20;

    /// <summary>Most frames of a clip. Default 60.</summary>
    public int MaxFrames { get; init; } = 60;

    /// <summary>Fewest sustained concepts (labels) of a clip. Default 1.</summary>
    public int MinLabelsPerClip { get; init; } = 1;

    /// <summary>Most sustained concepts (labels) of a clip. Default 3.</summary>
    public int MaxLabelsPerClip { get; init; } = 3;

    /// <summary>Probability that a sustained concept is present on a frame of its clip. Default 0.9.</summary>
    public double SustainedFrameShare { get; init; } = 0.9;

    /// <summary>Magnitude of a sustained concept on a frame (before jitter). Default 1.</summary>
    public double SustainedMagnitude { get; init; } = 1.0;

    /// <summary>Relative standard deviation of every planted magnitude from frame to frame. Default 0.25.</summary>
    public double MagnitudeJitter { get; init; } = 0.25;

    /// <summary>Most brief loud distractor events of a clip (0 to this many, uniform). Default 3.</summary>
    public int MaxBriefEventsPerClip { get; init; } = 3;

    /// <summary>Most consecutive frames of a brief event (1 to this many, uniform). Default 3.</summary>
    public int MaxBriefFrames { get; init; } = 3;

    /// <summary>Magnitude of a brief event on its frames (before jitter). Default 12: on 2 of 40 frames its mean is 0.6, on 3 of 20 it is 1.8, against 0.9 for a sustained concept.</summary>
    public double BriefMagnitude { get; init; } = 12.0;

    /// <summary>Most faint-bed concepts of a clip (0 to this many, uniform). Default 3.</summary>
    public int MaxFaintConceptsPerClip { get; init; } = 3;

    /// <summary>Probability that a faint-bed concept is present on a frame of its clip. Default 0.98.</summary>
    public double FaintFrameShare { get; init; } = 0.98;

    /// <summary>Magnitude of a faint-bed concept on a frame (before jitter). Default 0.3.</summary>
    public double FaintMagnitude { get; init; } = 0.3;

    /// <summary>Standard deviation of the Gaussian noise added to every value. Default 0.02.</summary>
    public double NoiseStandardDeviation { get; init; } = 0.02;

    /// <summary>Seed of the xoshiro256** generator (directions, clips, noise). Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Width, 2, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfLessThan(ClipCount, 1, nameof(ClipCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinFrames, 1, nameof(MinFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrames, MinFrames, nameof(MaxFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinLabelsPerClip, 1, nameof(MinLabelsPerClip));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLabelsPerClip, MinLabelsPerClip, nameof(MaxLabelsPerClip));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBriefEventsPerClip, nameof(MaxBriefEventsPerClip));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBriefFrames, 1, nameof(MaxBriefFrames));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBriefFrames, MinFrames, nameof(MaxBriefFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxFaintConceptsPerClip, nameof(MaxFaintConceptsPerClip));
        var perClip = MaxLabelsPerClip + MaxBriefEventsPerClip + MaxFaintConceptsPerClip;
        if (ConceptCount < perClip)
        {
            throw new ArgumentOutOfRangeException(nameof(ConceptCount), ConceptCount, $"A clip can hold {perClip} distinct concepts; plant at least that many.");
        }

        foreach (var (name, share) in new[] { (nameof(SustainedFrameShare), SustainedFrameShare), (nameof(FaintFrameShare), FaintFrameShare) })
        {
            if (!(share is > 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(name, share, "A frame share must lie in (0, 1].");
            }
        }

        foreach (var (name, value) in new[]
        {
            (nameof(SustainedMagnitude), SustainedMagnitude), (nameof(BriefMagnitude), BriefMagnitude), (nameof(FaintMagnitude), FaintMagnitude),
            (nameof(MagnitudeJitter), MagnitudeJitter), (nameof(NoiseStandardDeviation), NoiseStandardDeviation),
        })
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(name, value, "Magnitudes, jitter and noise must be finite and not negative.");
            }
        }
    }
}
