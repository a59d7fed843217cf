using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Benchmarks.Commands;
using ArdMl.Cli.Commands;

namespace ArdMl.Tests.Cli;

/// <summary>
/// One meaning per word: every option name and short alias of <c>ard</c> and of the benchmark tool <c>ard-bench</c> means
/// one thing in every command.
/// </summary>
public sealed class CommandLineVocabularyTests
{
    private static IEnumerable<(string Command, Option Option)> Options()
    {
        static IEnumerable<(string, Option)> Walk(Command command, string path)
        {
            foreach (var option in command.Options.Where(o => o.Name is not "--help" and not "--version"))
            {
                yield return (path, option);
            }

            foreach (var sub in command.Subcommands)
            {
                foreach (var item in Walk(sub, $"{path} {sub.Name}"))
                {
                    yield return item;
                }
            }
        }

        return CommandRegistry.All().SelectMany(c => Walk(c, "ard " + c.Name))
            .Concat(BenchCommand.All().SelectMany(c => Walk(c, "ard-bench " + c.Name)));
    }

    [Fact]
    public void Every_short_alias_stands_for_one_option_name_in_every_command()
    {
        var meanings = Options()
            .SelectMany(x => x.Option.Aliases.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => (Alias: a, x.Option.Name, x.Command)))
            .GroupBy(x => x.Alias)
            .Where(g => g.Select(x => x.Name).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join("; ", g.GroupBy(x => x.Name).Select(n => $"{n.Key} in {string.Join(", ", n.Select(x => x.Command))}")))
            .ToList();
        meanings.Should().BeEmpty("a short alias must mean the same option everywhere");
    }

    [Fact]
    public void Every_option_name_takes_one_kind_of_value_in_every_command()
    {
        // A path may be a file in one command and a folder in another (--out); anything else that differs in type is
        // a second meaning under one name (as --format once was: the WAV sample encoding and the shard layout).
        static string Kind(Type type)
        {
            type = type.IsArray ? type.GetElementType()! : type;   // a repeatable option takes many of one kind
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(int) || type == typeof(long) || type == typeof(ulong) || type == typeof(uint))
            {
                return "whole number";   // a seed is a seed whatever its width
            }

            return type == typeof(FileInfo) || type == typeof(DirectoryInfo) || type == typeof(FileSystemInfo) ? "path" : type.Name;
        }

        var meanings = Options()
            .GroupBy(x => x.Option.Name)
            .Where(g => g.Select(x => Kind(x.Option.ValueType)).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join("; ", g.GroupBy(x => Kind(x.Option.ValueType)).Select(k => $"{k.Key} in {string.Join(", ", k.Select(x => x.Command))}")))
            .ToList();
        string.Join(Environment.NewLine, meanings).Should().BeEmpty("an option name must take the same kind of value everywhere");
    }

    [Fact]
    public void Every_enum_option_refuses_a_number_that_names_no_member()
    {
        var enumOptions = Options()
            .Where(x => (Nullable.GetUnderlyingType(x.Option.ValueType) ?? x.Option.ValueType).IsEnum)
            .Where(x => x.Command.StartsWith("ard ", StringComparison.Ordinal))
            .ToList();
        enumOptions.Should().NotBeEmpty();
        var root = new RootCommand();
        foreach (var command in CommandRegistry.All())
        {
            root.Add(command);
        }

        var accepted = enumOptions
            .Where(x => !root.Parse([.. x.Command.Split(' ').Skip(1), x.Option.Name, "99"]).Errors
                .Any(e => e.Message.Contains("'99' is not one of", StringComparison.Ordinal)))
            .Select(x => $"{x.Command} {x.Option.Name} 99")
            .ToList();
        string.Join(Environment.NewLine, accepted).Should().BeEmpty("an enum option must refuse a number that names no member");
    }

    [Fact]
    public void Format_is_the_activation_shard_layout_everywhere()
    {
        Options().Where(x => x.Option.Name == "--format")
            .Should().NotBeEmpty()
            .And.OnlyContain(x => x.Option.ValueType == typeof(ActivationShardFormat), "--format has one meaning: the activation shard layout");
    }

    [Fact]
    public void The_model_description_is_dash_d_everywhere()
    {
        Options().Where(x => x.Option.Name == "--model-description")
            .Should().NotBeEmpty()
            .And.OnlyContain(x => x.Option.Aliases.Contains("-d"), "the model description is -d/--model-description in every command");
    }

    [Fact]
    public void Batch_counts_sae_frames_per_training_step_everywhere()
    {
        Options().Where(x => x.Option.Name == "--batch")
            .Should().NotBeEmpty()
            .And.OnlyContain(x => x.Option.Description!.StartsWith("Frames per SAE training step", StringComparison.Ordinal), "--batch has one meaning: SAE frames per step");
        Options().Where(x => x.Option.Name == "--windows-per-run").Select(x => x.Command).Should().Contain("ard extract");
    }
}
