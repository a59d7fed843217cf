using System.CommandLine;
using ArdMl.Evaluation;
using ArdMl.Pipeline;

namespace ArdMl.Cli.Commands;

/// <summary>
/// <c>ard eval --run &lt;dir&gt; --labels &lt;csv&gt;</c>: the interpretability benchmark (paper's Table 1) of raw neurons,
/// random clips, mean only, coverage only and AR&amp;D on one run's SAE and clips; writes eval.md and eval.json.
/// </summary>
internal static class EvalCommand
{
    public const string MarkdownFile = "eval.md";
    public const string JsonFile = "eval.json";

    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run", "-r") { Description = "Run folder written by 'ard discover'.", Required = true };
        var labels = new Option<FileInfo>("--labels", "-l") { Description = "Labels CSV (clip,text; ';' separates several labels).", Required = true };
        var command = new Command("eval", "Benchmark the run's concepts against labels: raw neurons, random clips, mean only, coverage only and AR&D, same SAE and data.")
        {
            run, labels,
        };
        command.SetAction(parse => Run(parse.GetValue(run)!.FullName, parse.GetValue(labels)!.FullName) is null ? 1 : 0);
        return command;
    }

    /// <summary>Runs the comparison, prints the table and writes eval.md / eval.json; null (message on stderr) on failure.</summary>
    public static MethodComparisonResult? Run(string runDirectory, string labelsPath)
    {
        MethodComparisonResult result;
        try
        {
            result = MethodComparison.Run(runDirectory, labelsPath, new ImmediateProgress<BenchmarkMethod>(m => Console.Error.WriteLine($"  evaluating {MethodComparison.DisplayName(m)}")));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or LabelFileException or ArdMl.Concepts.CaptionFileException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }

        Console.WriteLine($"Interpretability benchmark ({result.LabelledClipCount} labelled clips):");
        Console.Write(result.Table.ToText());
        foreach (var row in result.Rows)
        {
            Console.WriteLine($"  {row.Result.MethodName}: {row.Result.ConceptCount} concepts, {row.Result.MappedConceptCount} mapped to labels, {row.Result.EvaluatedConceptCount} evaluated");
        }

        File.WriteAllText(Path.Combine(runDirectory, MarkdownFile), result.ToMarkdown());
        File.WriteAllText(Path.Combine(runDirectory, JsonFile), result.ToJson());
        Console.WriteLine($"Wrote {Path.Combine(runDirectory, MarkdownFile)} and {JsonFile}.");
        return result;
    }
}
