using System.CommandLine;
using System.Globalization;
using ArdMl.Activations;
using ArdMl.Pipeline;
using ArdMl.Sae;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard encode</c>: the map step of discovery over parts: one activation shard part through a trained SAE into
/// its clips' statistics (part-statistics.idv + part.json), which <c>ard rank</c> merges.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var activations = new Option<DirectoryInfo>("--activations") { Description = "One part's activation shard folder (e.g. <shards>/part-0-of-4 of 'ard extract --shard').", Required = true };
        var sae = new Option<DirectoryInfo>("--sae") { Description = "The SAE folder written by 'ard train' on all parts (cfg.json, weights, metrics.json).", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the part's statistics (part-statistics.idv, part.json); an earlier encode there is replaced.", Required = true };
        var meanMode = MeanModeOption.Single(
            "What a clip's μ averages over: allframes (the default) or activeframes, as in ard discover; every part of one 'ard rank' must use the same.",
            MeanModeArgument.AllFrames)
            .FixedOnly("every part of a merge must read μ the same way, and a part has no names to choose by");
        var command = new Command("encode", "Encode one part of an extraction with a trained SAE into per-clip statistics (μ and c per latent, sparse) for 'ard rank'; parts run independently.")
        {
            activations, sae, output, meanMode,
        };
        command.SetAction(parse =>
        {
            var options = new PartEncodingOptions
            {
                ActivationsDirectory = parse.GetValue(activations)!.FullName,
                SaeDirectory = parse.GetValue(sae)!.FullName,
                OutputDirectory = parse.GetValue(output)!.FullName,
                MeanMode = parse.GetValue(meanMode).ToMode()!.Value,
            };
            try
            {
                EncodedPartManifest? manifest = null;
                AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("encode clips");
                        manifest = DiscoveryPipeline.EncodePart(options, new ImmediateProgress<DiscoveryProgress>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Done;
                            task.Description = $"encode clips: {Markup.Escape(p.Detail)}";
                        }));
                        task.Value = task.MaxValue;
                    });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Encoded {manifest!.Part}: {manifest.ClipCount} clips, {manifest.FrameCount} frames of {manifest.Model} / {manifest.Tap} with SAE m = {manifest.LatentCount}; wrote {options.OutputDirectory}."));
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or ActivationShardException or SafeTensorsFormatException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
