using System.Security.Cryptography;
using ArdMl.Activations;
using ArdMl.Concepts;
using ArdMl.Sae;

namespace ArdMl.Pipeline;

/// <summary>
/// part.json: what <see cref="DiscoveryPipeline.EncodePart"/> encoded (one activation shard part, one SAE) so that
/// <see cref="DiscoveryPipeline.RankParts"/> can refuse parts of different models, taps or SAEs. Written last, after
/// the part's statistics: a folder without it is an unfinished encode.
/// </summary>
public sealed class EncodedPartManifest
{
    /// <summary>File name of the manifest inside an encoded part folder.</summary>
    public const string FileName = "part.json";

    /// <summary>File name of the per-clip statistics (ML.NET binary .idv; SAE μ and c sparse, raw μ, c and embedding dense).</summary>
    public const string StatisticsFileName = "part-statistics.idv";

    /// <summary>Always "ardml.encoded-part".</summary>
    public const string FormatName = "ardml.encoded-part";

    /// <summary>Current manifest version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Manifest version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>When the part was encoded (UTC, ISO 8601).</summary>
    public string CreatedUtc { get; init; } = "";

    /// <summary>The part's name: its shard folder's name (part-i-of-n for <c>ard extract --shard</c>); parts merge in ordinal order of it.</summary>
    public string Part { get; init; } = "";

    /// <summary>The <c>--shard</c> value the part was extracted with ("i/n"), or null for a folder not written as a part.</summary>
    public string? Shard { get; init; }

    /// <summary>Absolute path of the part's activation shard folder.</summary>
    public string ActivationsDirectory { get; init; } = "";

    /// <summary>Model of the shards (the shard manifest's model).</summary>
    public string Model { get; init; } = "";

    /// <summary>SHA-256 of the model file, where the shards record it.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Tap of the shards.</summary>
    public string Tap { get; init; } = "";

    /// <summary>Activation width d.</summary>
    public int Width { get; init; }

    /// <summary>Absolute path of the SAE folder.</summary>
    public string SaeDirectory { get; init; } = "";

    /// <summary>SHA-256 over the SAE's cfg.json and weights (<see cref="SaeFingerprint"/>).</summary>
    public string SaeSha256 { get; init; } = "";

    /// <summary>What the part's μ averages over (all frames in parts written before the option existed).</summary>
    public ClipMeanMode MeanMode { get; init; } = ClipMeanMode.AllFrames;

    /// <summary>SAE latents m.</summary>
    public int LatentCount { get; init; }

    /// <summary>Clips in the part.</summary>
    public int ClipCount { get; init; }

    /// <summary>Frames in the part.</summary>
    public long FrameCount { get; init; }

    /// <summary>Writes part.json into <paramref name="directory"/> (through a temporary file, so it appears whole).</summary>
    /// <param name="directory">The encoded part folder.</param>
    public void Save(string directory) => ManifestJson.Write(Path.Combine(directory, FileName), this);

    /// <summary>Reads part.json of an encoded part folder; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
    /// <param name="directory">The encoded part folder.</param>
    public static EncodedPartManifest Load(string directory) => ManifestJson.Read<EncodedPartManifest>(
        Path.Combine(directory, FileName),
        $"'{directory}' is not an encoded part: it has no {FileName} (its 'ard encode' did not finish; rerun it).",
        FormatName,
        CurrentVersion,
        m => m.Format,
        m => m.Version);

    /// <summary>
    /// SHA-256 (lower-case hex) over an SAE folder's cfg.json and weights file (sparsify's sae.safetensors or SAELens's
    /// sae_weights.safetensors): equal for the same trained SAE wherever it is copied.
    /// </summary>
    /// <param name="saeDirectory">The SAE folder.</param>
    public static string SaeFingerprint(string saeDirectory)
    {
        var weights = SaeLensFormat.IsSaeLensDirectory(saeDirectory)
            ? Path.Combine(saeDirectory, SaeLensFormat.WeightsFileName)
            : Path.Combine(saeDirectory, SparsifyFormat.WeightsFileName);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { Path.Combine(saeDirectory, SparsifyFormat.ConfigFileName), weights })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"SAE folder '{saeDirectory}' has no {Path.GetFileName(file)}; expected the --out folder of 'ard train'.", file);
            }

            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static EncodedPartManifest For(string partDirectory, ActivationShardManifest shards, string saeDirectory, string saeSha256, int latentCount, int clips, long frames, ClipMeanMode meanMode) => new()
    {
        MeanMode = meanMode,
        CreatedUtc = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        Part = Path.GetFileName(Path.TrimEndingDirectorySeparator(partDirectory)),
        Shard = shards.Metadata is { } metadata && metadata.TryGetValue("shard", out var shard) ? shard : null,
        ActivationsDirectory = partDirectory,
        Model = shards.Model,
        ModelSha256 = shards.ModelSha256,
        Tap = shards.Tap,
        Width = shards.Width,
        SaeDirectory = saeDirectory,
        SaeSha256 = saeSha256,
        LatentCount = latentCount,
        ClipCount = clips,
        FrameCount = frames,
    };
}
