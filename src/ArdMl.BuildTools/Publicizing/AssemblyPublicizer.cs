using Mono.Cecil;

namespace ArdMl.BuildTools.Publicizing;

/// <summary>What <see cref="AssemblyPublicizer"/> changed.</summary>
/// <param name="Types">Types made public.</param>
/// <param name="Methods">Methods (including constructors and accessors) made public.</param>
/// <param name="Fields">Fields made public.</param>
public sealed record PublicizeCounts(int Types, int Methods, int Fields);

/// <summary>
/// Writes a copy of an assembly in which every type, method and field of the chosen namespaces is public, for the
/// compiler only: the copy is referenced at compile time, the real assembly loads at run time, and the consuming
/// assembly declares <c>IgnoresAccessChecksToAttribute</c> for it. Compiler-generated members (names with '&lt;'),
/// explicit interface implementations and event backing fields stay as they are, so that the publicized surface
/// has no name clashes; types outside <paramref name="namespacePrefix"/> (embedded polyfills such as
/// <c>System.Runtime.CompilerServices</c> attributes) are left alone for the same reason.
/// </summary>
/// <param name="namespacePrefix">Only types whose (outermost) namespace starts with this are publicized.</param>
public sealed class AssemblyPublicizer(string namespacePrefix)
{
    /// <summary>Publicizes <paramref name="inputPath"/> into <paramref name="outputPath"/> (written beside it, then renamed).</summary>
    public PublicizeCounts Publicize(string inputPath, string outputPath)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(inputPath))!);
        var counts = new PublicizeCounts(0, 0, 0);
        var temporary = $"{outputPath}.{Environment.ProcessId}.tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        using (var assembly = AssemblyDefinition.ReadAssembly(inputPath, new ReaderParameters { AssemblyResolver = resolver }))
        {
            foreach (var type in assembly.Modules.SelectMany(module => module.GetTypes()))
            {
                if (!IsPublicizable(type))
                {
                    continue;
                }

                counts = Publicize(type, counts);
            }

            assembly.Write(temporary);
        }

        resolver.Dispose();
        File.Move(temporary, outputPath, overwrite: true);
        return counts;
    }

    private static PublicizeCounts Publicize(TypeDefinition type, PublicizeCounts counts)
    {
        var types = counts.Types;
        if (type.IsNested ? !type.IsNestedPublic : !type.IsPublic)
        {
            if (type.IsNested)
            {
                type.IsNestedPublic = true;
            }
            else
            {
                type.IsPublic = true;
            }

            types++;
        }

        var methods = counts.Methods;
        foreach (var method in type.Methods)
        {
            // Explicit interface implementations are named "Namespace.IInterface.Member": leave them private, and so
            // the type initializer (.cctor).
            var isExplicitImplementation = method.IsPrivate && !method.IsConstructor && method.Name.Contains('.', StringComparison.Ordinal);
            if (!method.IsPublic && !IsCompilerGenerated(method.Name) && !isExplicitImplementation && !(method.IsConstructor && method.IsStatic))
            {
                method.IsPublic = true;
                methods++;
            }
        }

        var eventNames = type.Events.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var fields = counts.Fields;
        foreach (var field in type.Fields)
        {
            if (!field.IsPublic && !IsCompilerGenerated(field.Name) && !eventNames.Contains(field.Name))
            {
                field.IsPublic = true;
                fields++;
            }
        }

        return new PublicizeCounts(types, methods, fields);
    }

    private bool IsPublicizable(TypeDefinition type)
    {
        var outermost = type;
        for (var current = type; current is not null; current = current.DeclaringType)
        {
            if (IsCompilerGenerated(current.Name))
            {
                return false;
            }

            outermost = current;
        }

        return outermost.Namespace.StartsWith(namespacePrefix, StringComparison.Ordinal);
    }

    private static bool IsCompilerGenerated(string name) => name.Contains('<', StringComparison.Ordinal);
}
