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
/// explicit interface implementations, type initializers and event backing fields stay as they are, so that the
/// publicized surface has no name clashes; types outside <paramref name="namespacePrefix"/> (embedded polyfills
/// such as <c>System.Runtime.CompilerServices</c> attributes) are left alone for the same reason.
/// With <paramref name="diagnosticId"/>, everything made public is also marked
/// <c>[System.Diagnostics.CodeAnalysis.Experimental(diagnosticId)]</c>, so that the compiler reports each use of a
/// formerly internal API under that id: a project suppresses the id only where internals may be used.
/// </summary>
/// <param name="namespacePrefix">Only types whose (outermost) namespace starts with this are publicized.</param>
/// <param name="diagnosticId">The diagnostic id to mark formerly internal APIs with, or null for no marking.</param>
public sealed class AssemblyPublicizer(string namespacePrefix, string? diagnosticId = null)
{
    private static readonly byte[] FrameworkPublicKeyToken = [0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a];

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
            foreach (var module in assembly.Modules)
            {
                var marker = diagnosticId is null ? null : ExperimentalMarker(module, diagnosticId);
                var publicTypes = module.GetTypes().Where(IsEffectivelyPublic).ToHashSet();
                foreach (var type in module.GetTypes().Where(IsPublicizable))
                {
                    counts = Publicize(type, publicTypes.Contains(type), counts, marker);
                }
            }

            assembly.Write(temporary);
        }

        resolver.Dispose();
        File.Move(temporary, outputPath, overwrite: true);
        return counts;
    }

    /// <summary>
    /// Makes a type and its members public. The marking covers what was not reachable before: the members made public,
    /// and every member of a type that was not public (its public members were effectively internal too).
    /// </summary>
    private static PublicizeCounts Publicize(TypeDefinition type, bool typeWasPublic, PublicizeCounts counts, Func<CustomAttribute>? marker)
    {
        var memberMarker = typeWasPublic ? null : marker;
        if (memberMarker is not null)
        {
            foreach (var member in type.Methods.Where(m => m.IsPublic && !IsCompilerGenerated(m.Name)).Cast<ICustomAttributeProvider>()
                .Concat(type.Fields.Where(f => f.IsPublic))
                .Concat(type.Properties)
                .Concat(type.Events))
            {
                Mark(member, memberMarker);
            }
        }

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

            Mark(type, marker);
            types++;
        }

        var methods = counts.Methods;
        var changedMethods = new HashSet<MethodDefinition>();
        foreach (var method in type.Methods)
        {
            // Explicit interface implementations are named "Namespace.IInterface.Member": leave them private, and so
            // the type initializer (.cctor).
            var isExplicitImplementation = method.IsPrivate && !method.IsConstructor && method.Name.Contains('.', StringComparison.Ordinal);
            if (!method.IsPublic && !IsCompilerGenerated(method.Name) && !isExplicitImplementation && !(method.IsConstructor && method.IsStatic))
            {
                method.IsPublic = true;
                Mark(method, marker);
                changedMethods.Add(method);
                methods++;
            }
        }

        // The compiler reads the marking of a property or event from the member itself, not from its accessors.
        foreach (var property in type.Properties.Where(p => changedMethods.Contains(p.GetMethod!) || changedMethods.Contains(p.SetMethod!)))
        {
            Mark(property, typeWasPublic ? marker : null);
        }

        foreach (var @event in type.Events.Where(e => changedMethods.Contains(e.AddMethod) || changedMethods.Contains(e.RemoveMethod)))
        {
            Mark(@event, typeWasPublic ? marker : null);
        }

        var eventNames = type.Events.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var fields = counts.Fields;
        foreach (var field in type.Fields)
        {
            if (!field.IsPublic && !IsCompilerGenerated(field.Name) && !eventNames.Contains(field.Name))
            {
                field.IsPublic = true;
                Mark(field, marker);
                fields++;
            }
        }

        return new PublicizeCounts(types, methods, fields);
    }

    private static void Mark(ICustomAttributeProvider member, Func<CustomAttribute>? marker)
    {
        if (marker is not null)
        {
            member.CustomAttributes.Add(marker());
        }
    }

    /// <summary>
    /// A factory of <c>[Experimental(id)]</c> attributes. The attribute type is referenced from System.Runtime 8.0
    /// (where it first shipped): the copy is only ever read by compilers of projects for .NET 8 or later.
    /// </summary>
    private static Func<CustomAttribute> ExperimentalMarker(ModuleDefinition module, string id)
    {
        var runtime = module.AssemblyReferences.FirstOrDefault(r => r.Name == "System.Runtime" && r.Version >= new Version(8, 0, 0, 0));
        if (runtime is null)
        {
            runtime = new AssemblyNameReference("System.Runtime", new Version(8, 0, 0, 0)) { PublicKeyToken = FrameworkPublicKeyToken };
            module.AssemblyReferences.Add(runtime);
        }

        var attributeType = new TypeReference("System.Diagnostics.CodeAnalysis", "ExperimentalAttribute", module, runtime);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, attributeType) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        return () =>
        {
            var attribute = new CustomAttribute(constructor);
            attribute.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, id));
            return attribute;
        };
    }

    private static bool IsEffectivelyPublic(TypeDefinition type)
    {
        for (var current = type; current is not null; current = current.DeclaringType)
        {
            if (current.IsNested ? !current.IsNestedPublic : !current.IsPublic)
            {
                return false;
            }
        }

        return true;
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
