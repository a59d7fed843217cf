using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>
/// Reads and writes an SAE in EleutherAI sparsify's layout: <c>&lt;dir&gt;/cfg.json</c> (sparsify's
/// SparseCoderConfig fields plus <c>d_in</c>) and <c>&lt;dir&gt;/sae.safetensors</c> with <c>encoder.weight</c>
/// [m, d], <c>encoder.bias</c> [m], <c>W_dec</c> [m, d], <c>b_dec</c> [d]. Reads float32, float16 and bfloat16;
/// writes float32. SAELens can load this layout too. Top-K SAEs only: the layout has no place for the threshold of the
/// BatchTopK family, which <see cref="SaeLensFormat"/> stores.
/// </summary>
public static class SparsifyFormat
{
    /// <summary>Name of the configuration file.</summary>
    public const string ConfigFileName = "cfg.json";

    /// <summary>Name of the weights file.</summary>
    public const string WeightsFileName = "sae.safetensors";

    /// <summary>Writes <paramref name="sae"/> to <paramref name="directory"/> (created if needed).</summary>
    public static void Save(TopKSparseAutoencoder sae, string directory)
    {
        ArgumentNullException.ThrowIfNull(sae);
        if (sae.Threshold is not null)
        {
            throw new NotSupportedException(
                $"A {sae.Variant} SAE encodes with a threshold, which sparsify's layout cannot hold; save it with {nameof(SaeLensFormat)}.");
        }

        Directory.CreateDirectory(directory);
        int d = sae.InputDim;
        int m = sae.LatentCount;
        var tensors = new[]
        {
            SafeTensor.FromSingles("encoder.weight", ToArray(sae.EncoderWeight), m, d),
            SafeTensor.FromSingles("encoder.bias", ToArray(sae.EncoderBias), m),
            SafeTensor.FromSingles("W_dec", ToArray(sae.DecoderWeight), m, d),
            SafeTensor.FromSingles("b_dec", ToArray(sae.DecoderBias), d),
        };
        SafeTensorsFile.Write(Path.Combine(directory, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var config = new JsonObject
        {
            ["activation"] = "topk",
            ["expansion_factor"] = m % d == 0 ? m / d : Math.Max(1, m / d),
            ["normalize_decoder"] = sae.NormalizeDecoder,
            ["num_latents"] = m,
            ["k"] = sae.K,
            ["multi_topk"] = false,
            ["skip_connection"] = false,
            ["transcode"] = false,
            ["d_in"] = d,
        };
        SaeConfigFile.Write(Path.Combine(directory, ConfigFileName), config);
    }

    /// <summary>Loads an SAE from <paramref name="directory"/>; every tensor and field is validated first.</summary>
    public static TopKSparseAutoencoder Load(string directory)
    {
        var (config, configPath, weightsPath) = SaeConfigFile.Read(directory, ConfigFileName, WeightsFileName, "sparsify");

        if (SaeConfigFile.ReadBool(config, "skip_connection", configPath) || SaeConfigFile.ReadBool(config, "transcode", configPath))
        {
            throw new NotSupportedException($"'{configPath}' describes a skip-connection SAE or a transcoder; only plain Top-K SAEs are supported.");
        }

        string activation = config["activation"]?.GetValue<string>() ?? "topk";
        if (activation != "topk")
        {
            throw new NotSupportedException($"'{configPath}' uses activation '{activation}'; only 'topk' is supported.");
        }

        int k = SaeConfigFile.ReadInt(config, "k", configPath) ?? throw new InvalidDataException($"'{configPath}' lacks the field 'k'.");
        var tensors = SafeTensorsFile.Read(weightsPath);
        var encoderWeight = Require(tensors, "encoder.weight", 2, weightsPath);
        int m = checked((int)encoderWeight.Shape[0]);
        int d = checked((int)encoderWeight.Shape[1]);
        int? dIn = SaeConfigFile.ReadInt(config, "d_in", configPath);
        int? numLatents = SaeConfigFile.ReadInt(config, "num_latents", configPath);
        if (dIn is int din && din != d)
        {
            throw new InvalidDataException($"'{configPath}' says d_in = {din} but encoder.weight is [{m}, {d}].");
        }

        if (numLatents is int nl && nl != 0 && nl != m)
        {
            throw new InvalidDataException($"'{configPath}' says num_latents = {nl} but encoder.weight is [{m}, {d}].");
        }

        CheckShape(Require(tensors, "encoder.bias", 1, weightsPath), weightsPath, m);
        CheckShape(Require(tensors, "W_dec", 2, weightsPath), weightsPath, m, d);
        CheckShape(Require(tensors, "b_dec", 1, weightsPath), weightsPath, d);
        if (k <= 0 || k >= m)
        {
            throw new InvalidDataException($"'{configPath}' has k = {k}, which must satisfy 0 < k < num_latents = {m}.");
        }

        var sae = new TopKSparseAutoencoder(d, m, k, SaeConfigFile.ReadBool(config, "normalize_decoder", configPath, true));
        using (no_grad())
        {
            Assign(sae.EncoderWeight, tensors["encoder.weight"].ToSingles(), m, d);
            Assign(sae.EncoderBias, tensors["encoder.bias"].ToSingles(), m);
            Assign(sae.DecoderWeight, tensors["W_dec"].ToSingles(), m, d);
            Assign(sae.DecoderBias, tensors["b_dec"].ToSingles(), d);
        }

        return sae;
    }

    internal static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    internal static void Assign(Tensor target, float[] values, params long[] shape)
    {
        using var source = tensor(values, shape);
        target.copy_(source);
    }

    internal static SafeTensor Require(IReadOnlyDictionary<string, SafeTensor> tensors, string name, int rank, string path)
    {
        if (!tensors.TryGetValue(name, out var t))
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' is missing.");
        }

        if (t.Shape.Length != rank || t.DType is not (SafeTensorDType.F32 or SafeTensorDType.F16 or SafeTensorDType.BF16))
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' must be a rank-{rank} F32/F16/BF16 tensor; got {t.DType} [{string.Join(", ", t.Shape)}].");
        }

        return t;
    }

    internal static void CheckShape(SafeTensor t, string path, params long[] expected)
    {
        if (!t.Shape.SequenceEqual(expected))
        {
            throw new SafeTensorsFormatException(path, $"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", expected)}].");
        }
    }
}
