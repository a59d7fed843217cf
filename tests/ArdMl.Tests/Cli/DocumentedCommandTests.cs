using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using ArdMl.Benchmarks.Commands;
using ArdMl.Cli.Commands;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Cli;

/// <summary>
/// Every <c>ard</c> command line in the documentation parses with the real command line (options exist, required ones
/// are given, values have the right type), so the docs cannot drift from the CLI: lines of fenced code blocks that
/// start with <c>ard</c> (or run the CLI project with <c>dotnet run ... --</c>), continued with a trailing backslash,
/// and inline <c>`ard ...`</c> spans in the prose that give options and are not templates (no &lt;, [, |, "..." or
/// one-letter placeholders such as N); a bare mention such as <c>`ard eval`</c> names a command, it is not one to run.
/// Lines of the benchmark tool (<c>ard-bench</c>, or <c>dotnet run ... --project benchmarks/ArdMl.Benchmarks --</c>)
/// parse with its command line.
/// </summary>
public sealed partial class DocumentedCommandTests
{
    private static readonly string[] Documents =
        ["README.md", "BENCHMARKS.md", "models/README.md", "models/demo/README.md", "src/ArdMl/Pipeline/README.md", "src/ArdMl/Concepts/README.md", "src/ArdMl/Reporting/README.md",
         "benchmarks/ArdMl.Benchmarks/README.md"];

    public static TheoryData<string, string> CommandLines()
    {
        var data = new TheoryData<string, string>();
        foreach (var document in Documents)
        {
            var path = Path.Combine(SharedAssets.RepositoryRoot, document);
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var line in Commands(File.ReadAllLines(path)))
            {
                data.Add(document, line);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_documented_command_parses(string document, string commandLine)
    {
        var root = commandLine.StartsWith(BenchTool + " ", StringComparison.Ordinal) ? BenchCommand.Root() : new RootCommand();
        if (root.Subcommands.Count == 0)
        {
            foreach (var command in CommandRegistry.All())
            {
                root.Subcommands.Add(command);
            }
        }

        var parse = root.Parse(Tokens(commandLine));
        parse.Errors.Select(e => e.Message).Should().BeEmpty($"'{commandLine}' in {document} must parse");
    }

    [Fact]
    public void The_documents_hold_commands_to_check()
    {
        CommandLines().Count.Should().BeGreaterThan(10);
        CommandLines().Count(row => ((string)row[1]).StartsWith(BenchTool + " ", StringComparison.Ordinal)).Should().BeGreaterThan(5, "BENCHMARKS.md gives the ard-bench command of each figure");
    }

    private const string BenchTool = "ard-bench";

    private static IEnumerable<string> Commands(string[] lines)
    {
        var inCode = false;
        var pending = new StringBuilder();
        foreach (var raw in lines)
        {
            if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                foreach (Match span in InlineCommand().Matches(raw))
                {
                    var text = span.Groups[1].Value;
                    if (text.IndexOfAny(['<', '[', '|']) < 0 && !text.Contains("...", StringComparison.Ordinal)
                        && text.Contains(" -", StringComparison.Ordinal) && !Placeholder().IsMatch(text))
                    {
                        yield return text;
                    }
                }

                continue;
            }

            var line = raw.Trim();
            if (pending.Length == 0)
            {
                var start = CodeCommand().Match(line);
                if (!start.Success)
                {
                    continue;
                }

                line = (start.Groups["bench"].Success ? BenchTool : "ard") + " " + start.Groups["arguments"].Value;
            }

            var comment = line.IndexOf(" # ", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            pending.Append(line);
            yield return pending.ToString().Trim();
            pending.Clear();
        }
    }

    /// <summary>Splits a shell command line into arguments (quotes group, the leading <c>ard</c> is dropped).</summary>
    private static string[] Tokens(string commandLine)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var c in commandLine)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0 || any)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0 || any)
        {
            tokens.Add(current.ToString());
        }

        // A whole-argument shell variable ($s, ${strength}) stands for a value the script loops over: any value of the
        // option's type parses, so it is read as the number 1 (which every option type here accepts).
        return [.. tokens.Skip(1).Select(t => ShellVariable().IsMatch(t) ? "1" : t)];
    }

    [GeneratedRegex(@"^\$(\w+|\{\w+\})$")]
    private static partial Regex ShellVariable();

    [GeneratedRegex(@"(?<![\w/$-])[A-Z](?![\w/])")]
    private static partial Regex Placeholder();

    [GeneratedRegex("`(ard(?:-bench)? [^`]+)`")]
    private static partial Regex InlineCommand();

    [GeneratedRegex(@"^(?:(?<bench>ard-bench|dotnet run(?: -c Release)? --project benchmarks/ArdMl\.Benchmarks(?: -c Release)? --)|ard|dotnet run --project src/ArdMl\.Cli(?: -c Release)? --) (?<arguments>.*)$")]
    private static partial Regex CodeCommand();
}
