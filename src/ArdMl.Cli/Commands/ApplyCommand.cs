using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Pipeline;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary><c>ard apply --model &lt;zip&gt; --audio &lt;dir&gt; --out &lt;csv&gt;</c>: scores new clips with a saved discovery model.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "model.zip written by 'ard discover'.", Required = true };
        var audio = new Option<DirectoryInfo>("--audio", "-a") { Description = "Folder of clips to score (searched recursively).", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "CSV to write: clip,<concept name>,... (as discover's concept-scores.csv).", Required = true };
        var maxClips = new Option<int?>("--max-clips") { Description = "Score at most N clips (the first in path order)." };
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
                AnsiConsole.Progress().AutoClear(false).Start(context =>
                {
                    var task = context.AddTask("scoring clips");
                    result = DiscoveryPipeline.Apply(parse.GetValue(model)!.FullName, parse.GetValue(audio)!.FullName, csv, parse.GetValue(maxClips),
                        new ImmediateProgress<DiscoveryProgress>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Done;
                        }));
                    task.Value = task.MaxValue;
                });
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
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
