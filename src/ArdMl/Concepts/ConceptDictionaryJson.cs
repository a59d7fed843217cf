using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArdMl.Concepts;

/// <summary>
/// JSON export and import of a <see cref="ConceptDictionary"/> (System.Text.Json). The document is
/// <c>{ "format": "ardml.concepts", "version": 1, "latentCount", "clipCount", "ranking": { "criterion",
/// "candidates", "clipsPerSet", "randomSeed" }, "concepts": [ { "latent", "name", "namingSource", "namingFailure",
/// "captionsUsed", "monosemanticity", "detectionScore" (null when not scored), "topCohesion", "bottomCohesion", "density": { "activeClipCount",
/// "activeClipShare", "meanCoverage" }, "representativeness": { "mean", "max", "positiveCount" }, "top": [ { "clip",
/// "r", "score" } ], "bottom": [ ... ], "members": [ { "latent", "weight", "scale" } ] (only for a concept of several
/// latents) } ], "deadLatents": [ ... ] }</c>; enums are written by name. Field names are
/// stable; a later version may add fields (ignored by this reader) but a document with a higher major version is
/// rejected with a clear message.
/// </summary>
public static class ConceptDictionaryJson
{
    /// <summary>The value of the "format" field.</summary>
    public const string FormatName = "ardml.concepts";

    /// <summary>The version this code writes and the highest it reads.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The dictionary as a JSON document.</summary>
    public static string Serialize(ConceptDictionary dictionary)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        return JsonSerializer.Serialize(ToDocument(dictionary), Options);
    }

    /// <summary>Writes the dictionary to <paramref name="stream"/> as UTF-8 JSON.</summary>
    public static void Write(ConceptDictionary dictionary, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        JsonSerializer.Serialize(stream, ToDocument(dictionary), Options);
    }

    /// <summary>Writes the dictionary to the file <paramref name="path"/>.</summary>
    public static void Save(ConceptDictionary dictionary, string path)
    {
        using var stream = File.Create(path);
        Write(dictionary, stream);
    }

    /// <summary>Reads a dictionary from a JSON document.</summary>
    /// <exception cref="FormatException">The document is not a concept dictionary of a supported version.</exception>
    public static ConceptDictionary Deserialize(string json, string sourceName = "concept dictionary JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Options);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"{sourceName}: not valid concept dictionary JSON ({exception.Message}).", exception);
        }

        return FromDocument(document, sourceName);
    }

    /// <summary>Reads a dictionary from UTF-8 JSON in <paramref name="stream"/>.</summary>
    public static ConceptDictionary Read(Stream stream, string sourceName = "concept dictionary JSON")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, leaveOpen: true);
        return Deserialize(reader.ReadToEnd(), sourceName);
    }

    /// <summary>Reads a dictionary from the file <paramref name="path"/>.</summary>
    public static ConceptDictionary Load(string path) => Deserialize(File.ReadAllText(path), path);

    private static Document ToDocument(ConceptDictionary dictionary) => new()
    {
        Format = FormatName,
        Version = CurrentVersion,
        LatentCount = dictionary.LatentCount,
        ClipCount = dictionary.ClipCount,
        Ranking = new RankingDocument
        {
            Criterion = dictionary.Ranking.Criterion,
            Candidates = dictionary.Ranking.Candidates,
            ClipsPerSet = dictionary.Ranking.ClipsPerSet,
            RandomSeed = dictionary.Ranking.RandomSeed,
        },
        Concepts = [.. dictionary.Concepts.Select(c => new ConceptDocument
        {
            Latent = c.Latent,
            Name = c.Name,
            NamingSource = c.NamingSource,
            NamingFailure = c.NamingFailure,
            CaptionsUsed = [.. c.CaptionsUsed],
            Monosemanticity = c.Monosemanticity,
            DetectionScore = c.DetectionScore,
            TopCohesion = c.TopCohesion,
            BottomCohesion = c.BottomCohesion,
            Density = new DensityDocument
            {
                ActiveClipCount = c.ActiveClipCount,
                ActiveClipShare = c.ActiveClipShare,
                MeanCoverage = c.MeanCoverage,
            },
            Representativeness = new RepresentativenessDocument
            {
                Mean = c.MeanRepresentativeness,
                Max = c.MaxRepresentativeness,
                PositiveCount = c.PositiveRepresentativenessCount,
            },
            Top = [.. c.Top.Select(ToClip)],
            Bottom = [.. c.Bottom.Select(ToClip)],
            Members = c.Members.Count == 0 ? null : [.. c.Members.Select(m => new MemberDocument { Latent = m.Latent, Weight = m.Weight, Scale = m.Scale })],
        })],
        DeadLatents = [.. dictionary.DeadLatents],
    };

    private static ClipDocument ToClip(RankedClip clip) =>
        new() { Clip = clip.ClipId, R = clip.Representativeness, Score = clip.Score };

    private static ConceptDictionary FromDocument(Document? document, string sourceName)
    {
        if (document is null || document.Format != FormatName)
        {
            throw new FormatException($"{sourceName}: the \"format\" field is '{document?.Format}'; expected '{FormatName}'.");
        }

        if (document.Version < 1 || document.Version > CurrentVersion)
        {
            throw new FormatException(
                $"{sourceName}: version {document.Version} is not supported; this ArdMl reads versions 1 to {CurrentVersion}.");
        }

        if (document.Ranking is null || document.Concepts is null)
        {
            throw new FormatException($"{sourceName}: the \"ranking\" and \"concepts\" fields are required.");
        }

        var ranking = new ConceptRankerOptions
        {
            Criterion = document.Ranking.Criterion,
            Candidates = document.Ranking.Candidates,
            ClipsPerSet = document.Ranking.ClipsPerSet,
            RandomSeed = document.Ranking.RandomSeed,
        };
        var concepts = new List<Concept>(document.Concepts.Count);
        foreach (var c in document.Concepts)
        {
            if (c.Name is null)
            {
                throw new FormatException($"{sourceName}: the concept of latent {c.Latent} has no \"name\".");
            }

            concepts.Add(new Concept
            {
                Latent = c.Latent,
                Name = c.Name,
                NamingSource = c.NamingSource,
                NamingFailure = c.NamingFailure,
                CaptionsUsed = c.CaptionsUsed ?? [],
                Monosemanticity = c.Monosemanticity,
                DetectionScore = c.DetectionScore,
                TopCohesion = c.TopCohesion,
                BottomCohesion = c.BottomCohesion,
                ActiveClipCount = c.Density?.ActiveClipCount ?? 0,
                ActiveClipShare = c.Density?.ActiveClipShare ?? 0,
                MeanCoverage = c.Density?.MeanCoverage ?? 0,
                MeanRepresentativeness = c.Representativeness?.Mean ?? 0,
                MaxRepresentativeness = c.Representativeness?.Max ?? 0,
                PositiveRepresentativenessCount = c.Representativeness?.PositiveCount ?? 0,
                Top = [.. (c.Top ?? []).Select(t => FromClip(t, sourceName, c.Latent))],
                Bottom = [.. (c.Bottom ?? []).Select(t => FromClip(t, sourceName, c.Latent))],
                Members = [.. (c.Members ?? []).Select(m => new ConceptMember(m.Latent, m.Weight, m.Scale))],
            });
        }

        try
        {
            ranking.Validate();
            return new ConceptDictionary(document.LatentCount, document.ClipCount, ranking, concepts, document.DeadLatents ?? []);
        }
        catch (ArgumentException exception)
        {
            throw new FormatException($"{sourceName}: {exception.Message}", exception);
        }
    }

    private static RankedClip FromClip(ClipDocument clip, string sourceName, int latent) =>
        clip.Clip is null
            ? throw new FormatException($"{sourceName}: a clip of latent {latent} has no \"clip\" id.")
            : new RankedClip(clip.Clip, clip.R, clip.Score);

    private sealed class Document
    {
        public string? Format { get; set; }

        public int Version { get; set; }

        public int LatentCount { get; set; }

        public long ClipCount { get; set; }

        public RankingDocument? Ranking { get; set; }

        public List<ConceptDocument>? Concepts { get; set; }

        public List<int>? DeadLatents { get; set; }
    }

    private sealed class RankingDocument
    {
        public RankingCriterion Criterion { get; set; }

        public CandidateClips Candidates { get; set; }

        public int ClipsPerSet { get; set; }

        public ulong RandomSeed { get; set; }
    }

    private sealed class ConceptDocument
    {
        public int Latent { get; set; }

        public string? Name { get; set; }

        public NamingSource NamingSource { get; set; }

        public string? NamingFailure { get; set; }

        public List<string>? CaptionsUsed { get; set; }

        public double Monosemanticity { get; set; }

        public double? DetectionScore { get; set; }

        public double TopCohesion { get; set; }

        public double BottomCohesion { get; set; }

        public DensityDocument? Density { get; set; }

        public RepresentativenessDocument? Representativeness { get; set; }

        public List<ClipDocument>? Top { get; set; }

        public List<ClipDocument>? Bottom { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public List<MemberDocument>? Members { get; set; }
    }

    private sealed class MemberDocument
    {
        public int Latent { get; set; }

        public double Weight { get; set; }

        public double Scale { get; set; }
    }

    private sealed class DensityDocument
    {
        public int ActiveClipCount { get; set; }

        public double ActiveClipShare { get; set; }

        public double MeanCoverage { get; set; }
    }

    private sealed class RepresentativenessDocument
    {
        public double Mean { get; set; }

        public float Max { get; set; }

        public int PositiveCount { get; set; }
    }

    private sealed class ClipDocument
    {
        public string? Clip { get; set; }

        public float R { get; set; }

        public float Score { get; set; }
    }
}
