namespace ArdMl.Activations;

/// <summary>
/// How a description's front end turns a clip into model inputs: the clip's units (samples or mel frames), its
/// windows, and one window's input values. One implementation per <see cref="FrontEndKind"/>; implementations hold no
/// per-run state, so workers share one.
/// </summary>
internal interface IExtractionFrontEnd
{
    /// <summary>Units (samples or mel frames) per window.</summary>
    int UnitsPerWindow { get; }

    /// <summary>Values per unit (1 for a sample, the mel bins for a mel frame).</summary>
    int UnitWidth { get; }

    /// <summary>Samples per unit (1, or the mel hop).</summary>
    int SamplesPerUnit { get; }

    /// <summary>Samples a window's frames cover (the window, plus any analysis overhang of its last mel frame).</summary>
    long FrameSpanSamples { get; }

    /// <summary>The front end of a description.</summary>
    static IExtractionFrontEnd For(FrontEndDescription front) => front.Kind switch
    {
        FrontEndKind.Windows => new WaveformWindowsFrontEnd(front),
        FrontEndKind.RecurrentChunks => new RecurrentChunksFrontEnd(front),
        FrontEndKind.MelThenWindows => new MelModelFrontEnd(front),
        FrontEndKind.WhisperLogMel => new WhisperLogMelFrontEnd(front),
        _ => throw new NotSupportedException($"Front end kind {front.Kind} is not supported."),
    };

    /// <summary>Turns a clip into its units and plans its windows.</summary>
    /// <param name="clip">The clip at the model's sample rate.</param>
    /// <param name="session">The calling worker's session (for a front end that runs a model of its own).</param>
    PreparedClip Prepare(AudioClip clip, ExtractionSession session);

    /// <summary>Writes one window's model input values (one batch entry) into <paramref name="destination"/>.</summary>
    void FillInput(PreparedClip clip, WindowPlan window, Span<float> destination);
}

/// <summary>A clip turned into units, with its planned windows.</summary>
/// <param name="Clip">The clip.</param>
/// <param name="Units">Samples, or row-major mel frames.</param>
/// <param name="AvailableUnits">Units in <paramref name="Units"/> (may exceed the planned ones for a padded short clip).</param>
/// <param name="Windows">The windows, in order.</param>
internal sealed record PreparedClip(AudioClip Clip, ReadOnlyMemory<float> Units, int AvailableUnits, List<WindowPlan> Windows);
