using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Sae;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard train</c>: train an SAE on activation shards and write sparsify's layout (Top-K) or SAELens's (BatchTopK
/// family) + metrics.json.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var activations = new Option<DirectoryInfo>("--activations") { Description = "Activation shard folder (or folder of part folders).", Required = true };
        var latents = new Option<int>("--latents", "-m") { Description = "Number of latents m.", Required = true }.AtLeast(1);
        var k = new Option<int>("--k", "-k") { Description = "Active latents per frame.", Required = true }.AtLeast(1);
        var steps = new Option<int>("--steps", "-s") { Description = "Training steps (rerun with more to extend a finished run from its checkpoint).", Required = true }.AtLeast(1);
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Output folder: cfg.json, sae.safetensors (Top-K; sae_weights.safetensors for the BatchTopK family), metrics.json (checkpoints under checkpoints/).",
            Required = true,
        };
        var variant = new Option<string>("--variant")
        {
            Description = "Sparsity rule: topk (k per frame), batchtopk (k x batch per batch, threshold at inference) or matryoshka-batchtopk.",
            DefaultValueFactory = _ => "topk",
        };
        variant.AcceptOnlyFromAmong(Enum.GetValues<SaeVariant>().Select(SaeLensFormat.VariantName).ToArray());
        var prefixes = new Option<string?>("--prefixes") { Description = "Matryoshka prefix sizes, comma-separated, ascending to m (default m/16,m/8,m/4,m/2,m)." };
        var batch = new Option<int>("--batch", "-b") { Description = "Frames per SAE training step.", DefaultValueFactory = _ => 4096 };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate (default 2e-4 / sqrt(m / 2^14))." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and shuffling.", DefaultValueFactory = _ => 0UL };
        var noAuxK = new Option<bool>("--no-auxk") { Description = "Turn the AuxK loss against dead latents off." };
        var bdec = new Option<DecoderBiasInitialization>("--bdec-init") { Description = "b_dec initialisation.", DefaultValueFactory = _ => DecoderBiasInitialization.GeometricMedian }
            .NamedValuesOnly<Option<DecoderBiasInitialization>, DecoderBiasInitialization>();
        var buffer = new Option<int?>("--shuffle-frames") { Description = "Shuffle buffer capacity in frames (default 16 x batch)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Checkpoint interval in steps.", DefaultValueFactory = _ => 1000 };
        var fresh = new Option<bool>("--fresh") { Description = "Ignore an existing checkpoint in <out>/checkpoints instead of resuming." };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Skip frames with NaN/Inf instead of stopping." };
        var command = new Command("train", "Train a sparse autoencoder (Top-K, BatchTopK or Matryoshka BatchTopK) on activation shards (resumable).")
        {
            activations, latents, k, steps, output, variant, prefixes, batch, lr, seed, noAuxK, bdec, buffer, checkpointEvery, fresh, skipInvalid,
        };
        command.SetAction(parse =>
        {
            try
            {
                var reader = ActivationShardReader.Open(parse.GetValue(activations)!.FullName);
                string outDir = parse.GetValue(output)!.FullName;
                Directory.CreateDirectory(outDir);
                SaeLensFormat.TryParseVariant(parse.GetValue(variant)!, out var saeVariant);
                string? prefixList = parse.GetValue(prefixes);
                var options = new SparseAutoencoderTrainerOptions
                {
                    LatentCount = parse.GetValue(latents),
                    K = parse.GetValue(k),
                    Variant = saeVariant,
                    MatryoshkaPrefixSizes = prefixList is null ? null : ParsePrefixes(prefixList),
                    Steps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    Seed = parse.GetValue(seed),
                    AuxK = !parse.GetValue(noAuxK),
                    DecoderBiasInitialization = parse.GetValue(bdec),
                    ShuffleBufferFrames = parse.GetValue(buffer),
                    CheckpointDirectory = Path.Combine(outDir, "checkpoints"),
                    CheckpointInterval = parse.GetValue(checkpointEvery),
                    Resume = !parse.GetValue(fresh),
                    InvalidFrames = parse.GetValue(skipInvalid) ? InvalidFrameHandling.Skip : InvalidFrameHandling.Throw,
                    ProgressInterval = 1,
                };
                return Run(reader, options, outDir);
            }
            catch (Exception e) when (e is ActivationShardException or ArgumentException or InvalidDataException or IOException
                                          or NotSupportedException or InvalidOperationException or SafeTensorsFormatException)
            {
                Console.Error.WriteLine(CliErrorText.Of(e));
                return 1;
            }
        });
        return command;
    }

    private static int[] ParsePrefixes(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out int size)
                ? size
                : throw new ArgumentException($"--prefixes: '{p}' is not an integer."))
            .ToArray();

    private static int Run(ActivationShardReader reader, SparseAutoencoderTrainerOptions options, string outDir)
    {
        AnsiConsole.MarkupLine(
            $"Training a {SaeLensFormat.VariantName(options.Variant)} SAE: d={reader.Width}, m={options.LatentCount}, k={options.K}, {options.Steps} steps x {options.BatchSize} frames " +
            $"on {reader.ClipCount} clips / {reader.TokenCount} frames; lr {options.EffectiveLearningRate:G3}, AuxK {(options.AuxK ? "on" : "off")}.");
        var clips = new ShardFrames(reader);
        SaeTrainingResult? result = null;
        ProgressDisplay.Run(["training"], display =>
        {
            var progress = new InlineProgress<SaeTrainingProgress>(p => display.Report(0, p.Step, p.TotalSteps,
                $"FVU {p.Fvu:F4}, dead {p.DeadFraction:P1}, {p.TokensPerSecond:F0} frames/s" + (p.SkippedFrames > 0 ? $", skipped {p.SkippedFrames}" : "")));
            result = new SparseAutoencoderTrainer(options).Train(clips, reader.Width, progress);
        });

        if (result!.Autoencoder.Threshold is null)
        {
            SparsifyFormat.Save(result.Autoencoder, outDir);
        }
        else
        {
            SaeLensFormat.Save(result.Autoencoder, outDir);
        }

        File.WriteAllText(Path.Combine(outDir, "metrics.json"), result.Metrics.ToJson());
        var m = result.Metrics;
        string threshold = result.Autoencoder.Threshold is float theta ? $", threshold {theta:G4}" : "";
        AnsiConsole.MarkupLine($"Final FVU {m.FinalFvu:F4}, L0 {m.L0:F1}, dead {m.DeadFraction:P2} (window {m.DeadTokenWindow} tokens){threshold}; wrote {Markup.Escape(outDir)}.");
        return 0;
    }

    /// <summary>Re-enumerable view of the shards as per-clip frame blocks (one clip in memory at a time).</summary>
    private sealed class ShardFrames(ActivationShardReader reader) : IEnumerable<float[]>
    {
        public IEnumerator<float[]> GetEnumerator() => reader.ReadClips().Select(c => c.Data).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
