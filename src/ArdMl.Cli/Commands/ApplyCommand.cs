using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Pipeline;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard apply --model &lt;zip&gt; --audio &lt;dir&gt; --out &lt;csv&gt;</c>: scores new clips with a saved discovery model.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "model.zip written by 'ard discover'.", Required = true };
        var audio = new Option<DirectoryInfo>("--audio", "-a") { Description = "Folder of clips to score (searched recursively).", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "CSV to write: clip,<concept name>,... (as discover's concept-scores.csv).", Required = true };
        var maxClips = new Option<int?>("--max-clips") { Description = "Score at most N clips (the first in path order)." }.AtLeast(1);
        var command = new Command("apply", "Score clips with a saved discovery model (ML.NET Model.Load); unreadable clips are skipped and listed.")
        {
            model, audio, output, maxClips,
        };
        command.SetAction(parse =>
        {
            var csv = parse.GetValue(output)!.FullName;
            try
            {
                ApplyResult? result = null;
                ProgressDisplay.Run(["scoring clips"], display =>
                    result = DiscoveryPipeline.Apply(parse.GetValue(model)!.FullName, parse.GetValue(audio)!.FullName, csv, parse.GetValue(maxClips),
                        new ImmediateProgress<DiscoveryProgress>(p => display.Report(0, p.Done, p.Total))));
                foreach (var skipped in result!.SkippedClips)
                {
                    Console.WriteLine($"  skipped {skipped.Clip}: {skipped.Reason}");
                }

                Console.WriteLine($"Scored {result.ClipCount} clips on {result.ConceptNames.Count} concepts -> {csv}");
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException
                                      or ModelDescriptionException or UnknownTapException or ModelInputMismatchException or NonFiniteActivationException
                                      or ArdMl.Concepts.DuplicateClipIdException)
            {
                Console.Error.WriteLine(CliErrorText.Of(e));
                return 1;
            }
        });
        return command;
    }
}
