using System.Globalization;
using ArdMl.Activations;
using ArdMl.Concepts;

namespace ArdMl.Benchmarks.KnownAnswer;

/// <summary>How a concept was planted in a clip.</summary>
public enum PlantedRole
{
    /// <summary>On most frames at moderate magnitude: one of the clip's labels.</summary>
    Sustained,

    /// <summary>On 1–3 consecutive frames, loud: a distractor for ranking by mean activation.</summary>
    BriefLoud,

    /// <summary>On nearly every frame, faint: a distractor for ranking by coverage.</summary>
    FaintBed,
}

/// <summary>One concept planted in a clip.</summary>
/// <param name="Concept">Concept index (its direction is <see cref="KnownAnswerCorpus.Directions"/>[Concept]).</param>
/// <param name="Role">How it was planted.</param>
/// <param name="Frames">The frames it is present on, ascending.</param>
public sealed record PlantedConcept(int Concept, PlantedRole Role, IReadOnlyList<int> Frames);

/// <summary>One generated clip: T × d activations and what was planted in them.</summary>
/// <param name="ClipId">Clip id (shard clip id and the <c>clip</c> column of the CSV files).</param>
/// <param name="FrameCount">Frames T.</param>
/// <param name="Activations">T × d values, row-major.</param>
/// <param name="Planted">Every planted concept; the sustained ones are the labels.</param>
public sealed record KnownAnswerClip(string ClipId, int FrameCount, float[] Activations, IReadOnlyList<PlantedConcept> Planted)
{
    /// <summary>The clip's labels: the names of its sustained concepts.</summary>
    public IEnumerable<string> Labels => Planted.Where(p => p.Role == PlantedRole.Sustained).Select(p => KnownAnswerCorpus.ConceptName(p.Concept));
}

/// <summary>A generated known-answer corpus: the concept directions and the clips.</summary>
public sealed class KnownAnswerCorpus
{
    /// <summary>Shard folder inside the folder <see cref="Write"/> fills.</summary>
    public const string ActivationsFolder = "activations";

    /// <summary>Labels CSV (clip,text; one row per label of a clip).</summary>
    public const string LabelsFile = "labels.csv";

    /// <summary>Captions CSV (clip,text; one caption per clip naming its labels).</summary>
    public const string CaptionsFile = "captions.csv";

    /// <summary>The model name written into the shard manifest.</summary>
    public const string ModelName = "ardml.known-answer";

    internal KnownAnswerCorpus(KnownAnswerOptions options, IReadOnlyList<float[]> directions, IReadOnlyList<KnownAnswerClip> clips)
    {
        Options = options;
        Directions = directions;
        Clips = clips;
    }

    /// <summary>The options it was generated with.</summary>
    public KnownAnswerOptions Options { get; }

    /// <summary>The concept directions (unit vectors of length d).</summary>
    public IReadOnlyList<float[]> Directions { get; }

    /// <summary>The clips, in id order.</summary>
    public IReadOnlyList<KnownAnswerClip> Clips { get; }

    /// <summary>The label (and name) of a concept: "concept N".</summary>
    /// <param name="concept">Concept index.</param>
    public static string ConceptName(int concept) => string.Create(CultureInfo.InvariantCulture, $"concept {concept}");

    /// <summary>
    /// Writes <c>activations/</c> (float32 shards, models/SHARDS.md; model <see cref="ModelName"/>, tap "planted"; each
    /// index line's metadata lists the clip's concepts by role: "sustained", "briefLoud", "faintBed"),
    /// <c>labels.csv</c> and <c>captions.csv</c> into <paramref name="folder"/>, replacing an earlier corpus there.
    /// </summary>
    /// <param name="folder">The folder to fill.</param>
    public void Write(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var shards = Path.Combine(folder, ActivationsFolder);
        if (Directory.Exists(shards))
        {
            Directory.Delete(shards, recursive: true);
        }

        using (var writer = ActivationShardWriter.Open(shards, new ActivationShardManifest
        {
            Width = Options.Width,
            DataType = ActivationShardDataType.Float32,
            Model = ModelName,
            Tap = "planted",
            Producer = "ArdMl KnownAnswerGenerator",
            Metadata = new Dictionary<string, string> { ["seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture) },
        }))
        {
            foreach (var clip in Clips)
            {
                writer.Write(clip.ClipId, clip.Activations, clip.FrameCount, PlantedMetadata(clip));
            }
        }

        ClipTextCsv.Write(Path.Combine(folder, LabelsFile), Clips.SelectMany(c => c.Labels.Select(label => (c.ClipId, label))));
        ClipTextCsv.Write(Path.Combine(folder, CaptionsFile), Clips.Select(c => (c.ClipId, "a clip of " + string.Join(" and ", c.Labels))));
    }

    private static Dictionary<string, string> PlantedMetadata(KnownAnswerClip clip) =>
        Enum.GetValues<PlantedRole>().ToDictionary(
            role => role switch { PlantedRole.Sustained => "sustained", PlantedRole.BriefLoud => "briefLoud", _ => "faintBed" },
            role => string.Join(' ', clip.Planted.Where(p => p.Role == role).Select(p => p.Concept.ToString(CultureInfo.InvariantCulture))));
}
