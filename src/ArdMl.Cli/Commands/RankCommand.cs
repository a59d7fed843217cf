using System.CommandLine;
using System.Globalization;
using ArdMl.Concepts;
using ArdMl.Pipeline;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard rank</c>: the reduce step of discovery over parts: merges the parts 'ard encode' wrote (one SAE) into the
/// run folder 'ard discover --activations' writes on the same clips.
/// </summary>
internal static class RankCommand
{
    public static Command Create()
    {
        var parts = new Option<DirectoryInfo[]>("--parts")
        {
            Description = "Encoded part folders of 'ard encode', or their parent folder (repeat the option or list several).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var sae = new Option<DirectoryInfo>("--sae") { Description = "The SAE folder every part was encoded with; parts of another SAE are refused.", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Run folder to write.", Required = true };
        var captions = new Option<FileInfo?>("--captions") { Description = "Captions CSV (clip,text) to name concepts by their top clips' captions." };
        var labels = new Option<FileInfo?>("--labels") { Description = "Labels CSV (clip,text); when given, concepts are named by the majority label of their top clips (names eval can map)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed (random baseline); default: the seed the SAE was trained with, as in 'ard discover'." };
        var minMs = new Option<double?>("--min-monosemanticity") { Description = "Keep latents with monosemanticity above this (default 1.0).", DefaultValueFactory = _ => ConceptSelectionOptions.DefaultMinimumMonosemanticity };
        var groupBy = new Option<string?>("--group-by") { Description = "Regular expression finding each clip's group in its id: concepts are kept only where their name holds across groups." };
        var minDetection = new Option<double?>("--min-detection-score")
        {
            Description = "Keep concepts whose name detects its clips outside the top clips with an average precision of at least this "
                + $"(default {ConceptDetectionOptions.DefaultMinimumDetectionScore.ToString(CultureInfo.InvariantCulture)}).",
            DefaultValueFactory = _ => ConceptDetectionOptions.DefaultMinimumDetectionScore,
        };
        var mergeByName = DiscoveryCommandOptions.MergeByNameOption();
        var command = new Command("rank", "Merge the encoded parts of one extraction and SAE: rank, score, name and select concepts; writes the run folder of 'ard discover --activations'.")
        {
            parts, sae, output, captions, labels, seed, minMs, groupBy, minDetection, mergeByName,
        };
        command.SetAction(parse => DiscoverCommand.Run(new PartRankingOptions
        {
            Parts = [.. parse.GetValue(parts)!.Select(p => p.FullName)],
            SaeDirectory = parse.GetValue(sae)!.FullName,
            OutputDirectory = parse.GetValue(output)!.FullName,
            CaptionsPath = parse.GetValue(captions)?.FullName,
            LabelsPath = parse.GetValue(labels)?.FullName,
            Seed = parse.GetValue(seed),
            MinimumMonosemanticity = parse.GetValue(minMs),
            GroupPattern = parse.GetValue(groupBy),
            MinimumDetectionScore = parse.GetValue(minDetection),
            MergeByName = parse.GetValue(mergeByName),
        }) is null ? 1 : 0);
        return command;
    }
}
