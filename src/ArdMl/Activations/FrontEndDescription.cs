using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>The front end of a model description: how samples become model inputs. Fields apply per <see cref="Kind"/>.</summary>
public sealed class FrontEndDescription
{
    /// <summary>The front end kind.</summary>
    [JsonPropertyName("kind")]
    public FrontEndKind Kind { get; init; }

    /// <summary>Name of the tapped model's input that receives the window, chunk or mel windows.</summary>
    [JsonPropertyName("input")]
    public string Input { get; init; } = "";

    /// <summary>
    /// Shape of that input with -1 for the batch axis (for example [-1, 144160] or [-1, 43844, 1]); the window is
    /// written row-major into the non-batch axes. Checked against the model when the extractor is created.
    /// </summary>
    [JsonPropertyName("inputShape")]
    public int[] InputShape { get; init; } = [];

    /// <summary>Multiplier applied to samples before the model (openWakeWord's mel model wants int16 scale: 32767).</summary>
    [JsonPropertyName("inputScale")]
    public float InputScale { get; init; } = 1f;

    /// <summary>Windows: samples per window. RecurrentChunks: samples per chunk (without context).</summary>
    [JsonPropertyName("windowSamples")]
    public int WindowSamples { get; init; }

    /// <summary>Windows: samples between window starts (defaults to <see cref="WindowSamples"/>).</summary>
    [JsonPropertyName("hopSamples")]
    public int? HopSamples { get; init; }

    /// <summary>RecurrentChunks: samples of the previous chunk prepended to each chunk (zeros before the first).</summary>
    [JsonPropertyName("contextSamples")]
    public int ContextSamples { get; init; }

    /// <summary>RecurrentChunks: the state tensors carried between chunks.</summary>
    [JsonPropertyName("state")]
    public StateTensorDescription[] State { get; init; } = [];

    /// <summary>Constant extra inputs of the tapped model.</summary>
    [JsonPropertyName("constants")]
    public ConstantInputDescription[] Constants { get; init; } = [];

    /// <summary>MelThenWindows: the mel model file (resolved like the main model file).</summary>
    [JsonPropertyName("melModel")]
    public string? MelModel { get; init; }

    /// <summary>MelThenWindows: the mel model's waveform input name.</summary>
    [JsonPropertyName("melInput")]
    public string MelInput { get; init; } = "input";

    /// <summary>MelThenWindows: the mel model's output name; its last axis is mel bins, the one before it time.</summary>
    [JsonPropertyName("melOutput")]
    public string MelOutput { get; init; } = "output";

    /// <summary>MelThenWindows and WhisperLogMel: number of mel bins.</summary>
    [JsonPropertyName("melBins")]
    public int MelBins { get; init; }

    /// <summary>MelThenWindows: samples per mel frame (openWakeWord: 160 = 10 ms at 16 kHz).</summary>
    [JsonPropertyName("melHopSamples")]
    public int MelHopSamples { get; init; } = 160;

    /// <summary>MelThenWindows: affine map of mel values before the embedding model.</summary>
    [JsonPropertyName("melTransform")]
    public MelTransformDescription? MelTransform { get; init; }

    /// <summary>MelThenWindows: mel frames per embedding window (openWakeWord: 76). WhisperLogMel: frames per window (3000).</summary>
    [JsonPropertyName("windowFrames")]
    public int WindowFrames { get; init; }

    /// <summary>MelThenWindows: mel frames between window starts (openWakeWord: 8).</summary>
    [JsonPropertyName("hopFrames")]
    public int HopFrames { get; init; }

    /// <summary>What happens to samples after the last complete window.</summary>
    [JsonPropertyName("tail")]
    public ClipTailPolicy Tail { get; init; } = ClipTailPolicy.Drop;

    /// <summary>What happens to a clip shorter than one window.</summary>
    [JsonPropertyName("shortClip")]
    public ShortClipPolicy ShortClip { get; init; } = ShortClipPolicy.Empty;
}
