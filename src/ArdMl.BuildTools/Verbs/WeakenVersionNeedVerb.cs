using ArdMl.BuildTools.Elf;

namespace ArdMl.BuildTools.Verbs;

/// <summary>
/// <c>weaken-version-need [--version NAME]... [--always] LIBRARY...</c>: marks the named version needs weak in each
/// library (default version GLIBCXX_3.4.32), by default only where the host's dependency lacks the version.
/// Prints one line per library and version saying what was done.
/// </summary>
public sealed class WeakenVersionNeedVerb : IBuildToolVerb
{
    /// <inheritdoc />
    public string Name => "weaken-version-need";

    /// <inheritdoc />
    public string Usage => "weaken-version-need [--version NAME]... [--always] LIBRARY...";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        var versions = new List<string>();
        var libraries = new List<string>();
        var onlyWhenHostLacks = true;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--version" when i + 1 < arguments.Count:
                    versions.Add(arguments[++i]);
                    break;
                case "--always":
                    onlyWhenHostLacks = false;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new ArgumentException($"{Name}: unknown or incomplete option '{option}'. Usage: {Usage}");
                default:
                    libraries.Add(arguments[i]);
                    break;
            }
        }

        if (libraries.Count == 0)
        {
            throw new ArgumentException($"{Name}: no library given. Usage: {Usage}");
        }

        if (versions.Count == 0)
        {
            versions.Add("GLIBCXX_3.4.32");
        }

        var weakener = new VersionNeedWeakener();
        foreach (var library in libraries)
        {
            foreach (var outcome in weakener.Weaken(library, versions, onlyWhenHostLacks))
            {
                output.WriteLine($"{outcome.Library}: {outcome.Version}: {outcome.Action}: {outcome.Detail}");
            }
        }

        return 0;
    }
}
