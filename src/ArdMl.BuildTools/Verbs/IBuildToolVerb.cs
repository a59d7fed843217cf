namespace ArdMl.BuildTools.Verbs;

/// <summary>One subcommand of the build tool.</summary>
public interface IBuildToolVerb
{
    /// <summary>The name typed on the command line.</summary>
    string Name { get; }

    /// <summary>A one-line usage string.</summary>
    string Usage { get; }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    int Run(IReadOnlyList<string> arguments, TextWriter output);
}
