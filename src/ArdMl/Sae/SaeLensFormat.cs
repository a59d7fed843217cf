using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// Reads and writes an SAE of the BatchTopK family in SAELens's inference layout, as SAELens saves its own BatchTopK
/// and Matryoshka SAEs: a JumpReLU SAE. <c>&lt;dir&gt;/cfg.json</c> has <c>architecture</c> = "jumprelu",
/// <c>d_in</c>, <c>d_sae</c>, <c>dtype</c>, <c>device</c>, <c>apply_b_dec_to_input</c> = true,
/// <c>normalize_activations</c> = "none" and, under <c>metadata</c>, ArdMl's <c>ard_variant</c>, <c>k</c> and
/// <c>matryoshka_prefix_sizes</c>; <c>&lt;dir&gt;/sae_weights.safetensors</c> holds <c>W_enc</c> [d, m],
/// <c>b_enc</c> [m], <c>W_dec</c> [m, d], <c>b_dec</c> [d] and <c>threshold</c> [m] (θ in every entry). Encoding is
/// <c>pre = (x − b_dec) W_enc + b_enc</c>, <c>z = pre · [pre &gt; threshold]</c>, as in SAELens. Reads float32, float16
/// and bfloat16; writes float32. Only one threshold for all latents is read (what the BatchTopK family learns).
/// </summary>
public static class SaeLensFormat
{
    /// <summary>Name of the configuration file.</summary>
    public const string ConfigFileName = "cfg.json";

    /// <summary>Name of the weights file.</summary>
    public const string WeightsFileName = "sae_weights.safetensors";

    /// <summary>The SAELens architecture written (BatchTopK SAEs are JumpReLU SAEs at inference).</summary>
    public const string Architecture = "jumprelu";

    /// <summary>Whether <paramref name="directory"/> holds an SAE in this layout (its weights file exists).</summary>
    public static bool IsSaeLensDirectory(string directory) => File.Exists(Path.Combine(directory, WeightsFileName));

    /// <summary>Writes <paramref name="sae"/>, which must have a <see cref="TopKSparseAutoencoder.Threshold"/>.</summary>
    public static void Save(TopKSparseAutoencoder sae, string directory)
    {
        ArgumentNullException.ThrowIfNull(sae);
        if (sae.Threshold is not float threshold)
        {
            throw new NotSupportedException($"A {sae.Variant} SAE has no encoding threshold; save it with {nameof(SparsifyFormat)}.");
        }

        Directory.CreateDirectory(directory);
        int d = sae.InputDim;
        int m = sae.LatentCount;
        using var encoderTransposed = sae.EncoderWeight.detach().t();
        var tensors = new[]
        {
            SafeTensor.FromSingles("W_enc", SparsifyFormat.ToArray(encoderTransposed), d, m),
            SafeTensor.FromSingles("b_enc", SparsifyFormat.ToArray(sae.EncoderBias), m),
            SafeTensor.FromSingles("W_dec", SparsifyFormat.ToArray(sae.DecoderWeight), m, d),
            SafeTensor.FromSingles("b_dec", SparsifyFormat.ToArray(sae.DecoderBias), d),
            SafeTensor.FromSingles("threshold", Enumerable.Repeat(threshold, m).ToArray(), m),
        };
        SafeTensorsFile.Write(Path.Combine(directory, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var config = new JsonObject
        {
            ["architecture"] = Architecture,
            ["d_in"] = d,
            ["d_sae"] = m,
            ["dtype"] = "float32",
            ["device"] = "cpu",
            ["apply_b_dec_to_input"] = true,
            ["normalize_activations"] = "none",
            ["reshape_activations"] = "none",
            ["metadata"] = new JsonObject
            {
                ["ard_variant"] = VariantName(sae.Variant),
                ["k"] = sae.K,
                ["normalize_decoder"] = sae.NormalizeDecoder,
                ["matryoshka_prefix_sizes"] = new JsonArray(sae.PrefixSizes.Select(p => (JsonNode)p).ToArray()),
            },
        };
        SaeConfigFile.Write(Path.Combine(directory, ConfigFileName), config);
    }

    /// <summary>Loads an SAE from <paramref name="directory"/>; every tensor and field is validated first.</summary>
    public static TopKSparseAutoencoder Load(string directory)
    {
        var (config, configPath, weightsPath) = SaeConfigFile.Read(directory, ConfigFileName, WeightsFileName, "SAELens");

        string architecture = SaeConfigFile.ReadString(config, "architecture", configPath) ?? Architecture;
        if (architecture is not (Architecture or "batchtopk" or "matryoshka_batchtopk"))
        {
            throw new NotSupportedException($"'{configPath}' has architecture '{architecture}'; only '{Architecture}' (BatchTopK, Matryoshka) is supported.");
        }

        if (!SaeConfigFile.ReadBool(config, "apply_b_dec_to_input", configPath, true)
            || (SaeConfigFile.ReadString(config, "normalize_activations", configPath) ?? "none") != "none")
        {
            throw new NotSupportedException($"'{configPath}' needs apply_b_dec_to_input = true and normalize_activations = 'none'.");
        }

        var metadata = config["metadata"] as JsonObject ?? [];
        int k = SaeConfigFile.ReadInt(metadata, "k", configPath)
            ?? throw new InvalidDataException($"'{configPath}' lacks metadata.k (the mean number of active latents the SAE was trained for).");
        var variant = ParseVariant(SaeConfigFile.ReadString(metadata, "ard_variant", configPath) ?? "batchtopk", configPath);

        var tensors = SafeTensorsFile.Read(weightsPath);
        var encoderWeight = SparsifyFormat.Require(tensors, "W_enc", 2, weightsPath);
        int d = checked((int)encoderWeight.Shape[0]);
        int m = checked((int)encoderWeight.Shape[1]);
        if (SaeConfigFile.ReadInt(config, "d_in", configPath) is int dIn && dIn != d)
        {
            throw new InvalidDataException($"'{configPath}' says d_in = {dIn} but W_enc is [{d}, {m}].");
        }

        if (SaeConfigFile.ReadInt(config, "d_sae", configPath) is int dSae && dSae != m)
        {
            throw new InvalidDataException($"'{configPath}' says d_sae = {dSae} but W_enc is [{d}, {m}].");
        }

        SparsifyFormat.CheckShape(SparsifyFormat.Require(tensors, "b_enc", 1, weightsPath), weightsPath, m);
        SparsifyFormat.CheckShape(SparsifyFormat.Require(tensors, "W_dec", 2, weightsPath), weightsPath, m, d);
        SparsifyFormat.CheckShape(SparsifyFormat.Require(tensors, "b_dec", 1, weightsPath), weightsPath, d);
        var thresholds = SparsifyFormat.Require(tensors, "threshold", 1, weightsPath);
        SparsifyFormat.CheckShape(thresholds, weightsPath, m);
        var thresholdValues = thresholds.ToSingles();
        float threshold = thresholdValues[0];
        if (thresholdValues.Any(t => t != threshold) || !float.IsFinite(threshold))
        {
            throw new NotSupportedException($"'{weightsPath}' has per-latent thresholds; only one finite threshold for all latents is supported.");
        }

        if (k <= 0 || k >= m)
        {
            throw new InvalidDataException($"'{configPath}' has k = {k}, which must satisfy 0 < k < d_sae = {m}.");
        }

        var prefixes = (metadata["matryoshka_prefix_sizes"] as JsonArray)?.Select(n => n!.GetValue<int>()).ToArray() ?? [];
        if (variant == SaeVariant.MatryoshkaBatchTopK && (prefixes.Length == 0 || prefixes[^1] != m))
        {
            throw new InvalidDataException($"'{configPath}': a Matryoshka SAE needs metadata.matryoshka_prefix_sizes ending at d_sae = {m}.");
        }

        var sae = new TopKSparseAutoencoder(d, m, k, SaeConfigFile.ReadBool(metadata, "normalize_decoder", configPath, true))
        {
            Variant = variant,
            PrefixSizes = variant == SaeVariant.MatryoshkaBatchTopK ? prefixes : [],
            Threshold = threshold,
        };
        using (no_grad())
        using (var encoderTransposed = tensor(tensors["W_enc"].ToSingles(), [d, m]))
        {
            sae.EncoderWeight.copy_(encoderTransposed.t());
            SparsifyFormat.Assign(sae.EncoderBias, tensors["b_enc"].ToSingles(), m);
            SparsifyFormat.Assign(sae.DecoderWeight, tensors["W_dec"].ToSingles(), m, d);
            SparsifyFormat.Assign(sae.DecoderBias, tensors["b_dec"].ToSingles(), d);
        }

        return sae;
    }

    /// <summary>The name of a variant in files and on the command line: topk, batchtopk, matryoshka-batchtopk.</summary>
    public static string VariantName(SaeVariant variant) => variant switch
    {
        SaeVariant.TopK => "topk",
        SaeVariant.BatchTopK => "batchtopk",
        SaeVariant.MatryoshkaBatchTopK => "matryoshka-batchtopk",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown SAE variant."),
    };

    /// <summary>Parses <see cref="VariantName"/>'s names (case-insensitive; '_' may stand for '-').</summary>
    public static bool TryParseVariant(string name, out SaeVariant variant)
    {
        foreach (var candidate in Enum.GetValues<SaeVariant>())
        {
            if (string.Equals(VariantName(candidate), name.Replace('_', '-'), StringComparison.OrdinalIgnoreCase))
            {
                variant = candidate;
                return true;
            }
        }

        variant = default;
        return false;
    }

    private static SaeVariant ParseVariant(string name, string path) =>
        TryParseVariant(name, out var variant) && variant != SaeVariant.TopK
            ? variant
            : throw new InvalidDataException($"'{path}': metadata.ard_variant '{name}' is not batchtopk or matryoshka-batchtopk.");
}
