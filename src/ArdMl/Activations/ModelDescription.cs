using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArdMl.Activations;

/// <summary>
/// A JSON description of an audio model for activation extraction: the ONNX file, the sample rate, the front end that
/// turns samples into inputs, state and constant inputs, default taps and how each tap's tensor maps to frames × d.
/// The schema is documented in <c>models/README.md</c>; <see cref="Load"/> validates it and reports the first problem
/// with the file and field named.
/// </summary>
public sealed class ModelDescription
{
    /// <summary>The schema version this library reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Environment variable with extra model search roots (separated by the platform path separator).</summary>
    public const string SearchRootsVariable = "ARDML_MODELS";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        WriteIndented = true,
    };

    /// <summary>Schema version (1).</summary>
    [JsonPropertyName("formatVersion")]
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Short identifier of the description (used in shard manifests).</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>One-line human description.</summary>
    [JsonPropertyName("summary")]
    public string? Summary { get; init; }

    /// <summary>Licence of the model weights (informational).</summary>
    [JsonPropertyName("license")]
    public string? License { get; init; }

    /// <summary>The ONNX file that is tapped: absolute, relative to the JSON file, or relative to a search root.</summary>
    [JsonPropertyName("model")]
    public string Model { get; init; } = "";

    /// <summary>Optional SHA-256 (hex) of the model file; checked when set.</summary>
    [JsonPropertyName("modelSha256")]
    public string? ModelSha256 { get; init; }

    /// <summary>Folders, relative to the JSON file or absolute, searched for <see cref="Model"/> (e.g. ../../shared/models).</summary>
    [JsonPropertyName("modelSearchRoots")]
    public string[] ModelSearchRoots { get; init; } = [];

    /// <summary>Sample rate in Hz of the mono samples the front end expects (the loader must decode at this rate).</summary>
    [JsonPropertyName("sampleRate")]
    public int SampleRate { get; init; } = 16000;

    /// <summary>The front end.</summary>
    [JsonPropertyName("frontEnd")]
    public FrontEndDescription FrontEnd { get; init; } = new();

    /// <summary>Taps used when the caller names none.</summary>
    [JsonPropertyName("defaultTaps")]
    public string[] DefaultTaps { get; init; } = [];

    /// <summary>Layout rules for taps; the first rule that matches a tap's name and rank wins.</summary>
    [JsonPropertyName("tapLayouts")]
    public TapLayoutRule[] TapLayouts { get; init; } = [];

    /// <summary>Layout of taps no rule matches.</summary>
    [JsonPropertyName("defaultTapLayout")]
    public TapLayout DefaultTapLayout { get; init; } = TapLayout.Default;

    /// <summary>Where the description was read from (null for in-memory JSON without a base folder).</summary>
    [JsonIgnore]
    public string? SourcePath { get; private set; }

    /// <summary>Folder that relative paths are resolved against.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; private set; } = Directory.GetCurrentDirectory();

    [JsonIgnore]
    private string SourceName => SourcePath ?? Name;

    /// <summary>Reads and validates a description file.</summary>
    /// <param name="path">The JSON file.</param>
    public static ModelDescription Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Model description '{full}' does not exist.", full);
        }

        return Parse(File.ReadAllText(full), full, Path.GetDirectoryName(full)!);
    }

    /// <summary>Parses and validates description JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">Name used in error messages (usually the file path).</param>
    /// <param name="baseDirectory">Folder relative model paths and search roots are resolved against.</param>
    public static ModelDescription Parse(string json, string sourceName, string baseDirectory)
    {
        ModelDescription? description;
        try
        {
            description = JsonSerializer.Deserialize<ModelDescription>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelDescriptionException(sourceName, $"invalid JSON at {e.Path ?? "?"} (line {e.LineNumber + 1}): {e.Message}", e);
        }

        if (description is null)
        {
            throw new ModelDescriptionException(sourceName, "the file holds JSON null.");
        }

        description.SourcePath = sourceName;
        description.BaseDirectory = Path.GetFullPath(baseDirectory);
        description.Validate();
        return description;
    }

    /// <summary>The description as indented JSON (the same schema <see cref="Parse"/> reads).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The layout of a tap whose output has the given rank.</summary>
    public TapLayout LayoutFor(string tap, int rank)
    {
        foreach (var rule in TapLayouts)
        {
            if (rule.Matches(tap, rank))
            {
                return rule.ToLayout();
            }
        }

        return DefaultTapLayout;
    }

    /// <summary>Full path of the tapped model file; throws <see cref="FileNotFoundException"/> listing every place tried.</summary>
    /// <param name="extraSearchRoots">More folders to search after the description's own.</param>
    public string ResolveModelPath(IEnumerable<string>? extraSearchRoots = null) => ResolveFile(Model, "model", extraSearchRoots);

    /// <summary>Full path of the mel model (MelThenWindows only).</summary>
    /// <param name="extraSearchRoots">More folders to search after the description's own.</param>
    public string ResolveMelModelPath(IEnumerable<string>? extraSearchRoots = null) =>
        ResolveFile(FrontEnd.MelModel ?? throw new ModelDescriptionException(SourceName, "frontEnd.melModel is not set."), "frontEnd.melModel", extraSearchRoots);

    private string ResolveFile(string file, string field, IEnumerable<string>? extraSearchRoots)
    {
        var tried = new List<string>();
        if (Path.IsPathRooted(file))
        {
            tried.Add(file);
        }
        else
        {
            tried.Add(Path.GetFullPath(Path.Combine(BaseDirectory, file)));
            var roots = ModelSearchRoots.Select(r => Path.GetFullPath(Path.Combine(BaseDirectory, r)))
                .Concat(extraSearchRoots ?? [])
                .Concat((Environment.GetEnvironmentVariable(SearchRootsVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
            tried.AddRange(roots.Select(r => Path.GetFullPath(Path.Combine(r, file))));
        }

        foreach (var candidate in tried)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"Model description '{SourceName}': {field} file '{file}' was not found. Tried: {string.Join(", ", tried.Distinct())}. " +
            $"Add a search root with the {SearchRootsVariable} environment variable or an absolute path.",
            file);
    }

    private void Validate()
    {
        void Fail(string problem) => throw new ModelDescriptionException(SourceName, problem);

        if (FormatVersion != CurrentFormatVersion)
        {
            Fail($"formatVersion is {FormatVersion}; this library reads version {CurrentFormatVersion}.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            Fail("name is missing.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            Fail("model (the ONNX file) is missing.");
        }

        if (SampleRate is < 1000 or > 384000)
        {
            Fail($"sampleRate {SampleRate} is outside 1000..384000 Hz.");
        }

        if (FrontEnd is null)
        {
            Fail("frontEnd is missing.");
        }

        var f = FrontEnd!;
        if (string.IsNullOrWhiteSpace(f.Input))
        {
            Fail("frontEnd.input (the model input name) is missing.");
        }

        if (f.InputShape.Length == 0 || f.InputShape.Count(d => d == -1) != 1 || f.InputShape.Any(d => d == 0 || d < -1))
        {
            Fail($"frontEnd.inputShape [{string.Join(", ", f.InputShape)}] must hold positive sizes and exactly one -1 (the batch axis).");
        }

        var perWindow = f.InputShape.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
        switch (f.Kind)
        {
            case FrontEndKind.Windows:
                RequirePositive(f.WindowSamples, "frontEnd.windowSamples");
                if (f.HopSamples is <= 0)
                {
                    Fail("frontEnd.hopSamples must be positive.");
                }

                if (perWindow != f.WindowSamples)
                {
                    Fail($"frontEnd.inputShape holds {perWindow} values per window but windowSamples is {f.WindowSamples}.");
                }

                break;
            case FrontEndKind.RecurrentChunks:
                RequirePositive(f.WindowSamples, "frontEnd.windowSamples");
                if (f.ContextSamples < 0)
                {
                    Fail("frontEnd.contextSamples must not be negative.");
                }

                if (perWindow != f.WindowSamples + f.ContextSamples)
                {
                    Fail($"frontEnd.inputShape holds {perWindow} values per chunk but windowSamples + contextSamples is {f.WindowSamples + f.ContextSamples}.");
                }

                if (f.State.Length == 0)
                {
                    Fail("frontEnd.state is empty: a recurrentChunks front end carries at least one state tensor.");
                }

                foreach (var s in f.State)
                {
                    if (string.IsNullOrWhiteSpace(s.Input) || string.IsNullOrWhiteSpace(s.Output))
                    {
                        Fail("frontEnd.state entries need both input and output names.");
                    }

                    if (s.Shape.Count(d => d == -1) != 1 || s.Shape.Any(d => d == 0 || d < -1))
                    {
                        Fail($"frontEnd.state '{s.Input}' shape [{string.Join(", ", s.Shape)}] needs positive sizes and exactly one -1 (batch).");
                    }
                }

                break;
            case FrontEndKind.MelThenWindows:
                if (string.IsNullOrWhiteSpace(f.MelModel))
                {
                    Fail("frontEnd.melModel is missing (kind melThenWindows).");
                }

                RequirePositive(f.MelBins, "frontEnd.melBins");
                RequirePositive(f.WindowFrames, "frontEnd.windowFrames");
                RequirePositive(f.HopFrames, "frontEnd.hopFrames");
                RequirePositive(f.MelHopSamples, "frontEnd.melHopSamples");
                if (perWindow != (long)f.WindowFrames * f.MelBins)
                {
                    Fail($"frontEnd.inputShape holds {perWindow} values per window but windowFrames × melBins is {f.WindowFrames * f.MelBins}.");
                }

                break;
            case FrontEndKind.WhisperLogMel:
                if (f.MelBins is not (80 or 128))
                {
                    Fail($"frontEnd.melBins is {f.MelBins}; Whisper uses 80 or 128.");
                }

                if (SampleRate != Audio.WhisperLogMel.SampleRate)
                {
                    Fail($"sampleRate must be {Audio.WhisperLogMel.SampleRate} for the whisperLogMel front end.");
                }

                RequirePositive(f.WindowFrames, "frontEnd.windowFrames");
                if (f.InputShape.Length != 3 || f.InputShape[0] != -1 || f.InputShape[1] != f.MelBins || f.InputShape[2] != f.WindowFrames)
                {
                    Fail($"frontEnd.inputShape must be [-1, melBins, windowFrames] = [-1, {f.MelBins}, {f.WindowFrames}] (Whisper's layout).");
                }

                break;
            default:
                Fail($"frontEnd.kind {f.Kind} is not supported.");
                break;
        }

        foreach (var c in f.Constants)
        {
            if (c.Type is not ("float32" or "int64" or "int32"))
            {
                Fail($"constant '{c.Name}' has type '{c.Type}'; use float32, int64 or int32.");
            }

            var count = c.Shape.Aggregate(1L, (a, b) => a * b);
            if (c.Shape.Any(d => d <= 0) || count != c.Values.Length)
            {
                Fail($"constant '{c.Name}' has shape [{string.Join(", ", c.Shape)}] but {c.Values.Length} values.");
            }
        }

        foreach (var rule in TapLayouts)
        {
            if (string.IsNullOrEmpty(rule.Match))
            {
                Fail("a tapLayouts rule has an empty match.");
            }

            if (rule.IsRegex)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(rule.Match);
                }
                catch (ArgumentException e)
                {
                    Fail($"tapLayouts rule '{rule.Match}' is not a valid regular expression: {e.Message}");
                }
            }
        }

        void RequirePositive(int value, string field)
        {
            if (value <= 0)
            {
                Fail($"{field} must be positive (is {value}).");
            }
        }
    }
}
