using ArdMl.BuildTools.Publicizing;

namespace ArdMl.BuildTools.Verbs;

/// <summary>
/// <c>publicize --input ASSEMBLY --output ASSEMBLY [--namespace PREFIX] [--mark-experimental ID]</c>: writes a
/// compile-time copy of an assembly with every type and member of the namespaces under PREFIX (default
/// <c>Microsoft.ML</c>) made public, each marked <c>[Experimental(ID)]</c> when ID is given.
/// </summary>
public sealed class PublicizeVerb : IBuildToolVerb
{
    /// <inheritdoc />
    public string Name => "publicize";

    /// <inheritdoc />
    public string Usage => "publicize --input ASSEMBLY --output ASSEMBLY [--namespace PREFIX] [--mark-experimental ID]";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        string? input = null;
        string? outputPath = null;
        var prefix = "Microsoft.ML";
        string? diagnosticId = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            var hasValue = i + 1 < arguments.Count;
            switch (arguments[i])
            {
                case "--input" when hasValue:
                    input = arguments[++i];
                    break;
                case "--output" when hasValue:
                    outputPath = arguments[++i];
                    break;
                case "--namespace" when hasValue:
                    prefix = arguments[++i];
                    break;
                case "--mark-experimental" when hasValue:
                    diagnosticId = arguments[++i];
                    break;
                default:
                    throw new ArgumentException($"{Name}: unknown or incomplete argument '{arguments[i]}'. Usage: {Usage}");
            }
        }

        if (input is null || outputPath is null)
        {
            throw new ArgumentException($"{Name}: --input and --output are required. Usage: {Usage}");
        }

        if (!File.Exists(input))
        {
            throw new ArgumentException($"{Name}: the input assembly '{input}' does not exist.");
        }

        var counts = new AssemblyPublicizer(prefix, diagnosticId).Publicize(input, outputPath);
        output.WriteLine($"{Path.GetFileName(input)}: made {counts.Types} types, {counts.Methods} methods and {counts.Fields} fields under {prefix} public in {outputPath}{(diagnosticId is null ? string.Empty : $", marked [Experimental(\"{diagnosticId}\")]")}");
        return 0;
    }
}
