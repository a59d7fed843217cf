namespace ArdMl.Activations;

/// <summary>How a model description turns a clip's samples into model inputs.</summary>
public enum FrontEndKind
{
    /// <summary>
    /// Raw waveform in fixed windows with a hop (DNSMOS: 9.01 s windows; Basic Pitch: 2 s windows at 22.05 kHz).
    /// Every window runs independently; windows of many clips are batched together.
    /// </summary>
    Windows,

    /// <summary>
    /// Raw waveform in consecutive fixed chunks with recurrent state carried from one chunk to the next (Silero VAD:
    /// 512-sample chunks with 64 samples of context prepended, state [2, B, 128] in, stateN out).
    /// </summary>
    RecurrentChunks,

    /// <summary>
    /// A mel model over the whole clip, then an embedding model over windows of mel frames (openWakeWord: 76-frame
    /// windows with a stride of 8 frames). Taps name values of the embedding model.
    /// </summary>
    MelThenWindows,

    /// <summary>
    /// Whisper's log-mel front end (<see cref="Audio.WhisperLogMel"/>) in 30 s windows feeding a Whisper-style encoder;
    /// padding frames of the last window are removed from the output.
    /// </summary>
    WhisperLogMel,
}
