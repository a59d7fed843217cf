using ArdMl.BuildTools.Publicizing;
using Microsoft.ML;
using Mono.Cecil;

namespace ArdMl.Tests.Build;

/// <summary>The compile-time publicizing of ML.NET assemblies (verb <c>publicize</c>), on the real Microsoft.ML.Core.dll.</summary>
public sealed class AssemblyPublicizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-publicize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Internal_ml_net_types_and_members_become_public()
    {
        var output = Path.Combine(_directory, "Microsoft.ML.Core.dll");

        var counts = new AssemblyPublicizer("Microsoft.ML").Publicize(CoreAssemblyPath, output);

        counts.Types.Should().BeGreaterThan(100);
        using var publicized = AssemblyDefinition.ReadAssembly(output);
        var loadContext = publicized.MainModule.GetType("Microsoft.ML.ModelLoadContext");
        loadContext.IsPublic.Should().BeTrue();
        loadContext.Fields.Single(f => f.Name == "Header").IsPublic.Should().BeTrue();
        var saveContext = publicized.MainModule.GetType("Microsoft.ML.ModelSaveContext");
        saveContext.Methods.Single(m => m.Name == "SetVersionInfo").IsPublic.Should().BeTrue();
        saveContext.Fields.Single(f => f.Name == "Writer").IsPublic.Should().BeTrue();
        publicized.MainModule.GetType("Microsoft.ML.VersionInfo").IsPublic.Should().BeTrue();
    }

    [Fact]
    public void Compiler_generated_members_explicit_implementations_and_foreign_namespaces_are_left_alone()
    {
        var output = Path.Combine(_directory, "Microsoft.ML.Core.dll");
        using var original = AssemblyDefinition.ReadAssembly(CoreAssemblyPath);

        new AssemblyPublicizer("Microsoft.ML").Publicize(CoreAssemblyPath, output);

        using var publicized = AssemblyDefinition.ReadAssembly(output);
        var types = publicized.MainModule.GetTypes().ToList();
        types.Where(t => t.Name.Contains('<', StringComparison.Ordinal)).Should().OnlyContain(t => !t.IsNestedPublic && !t.IsPublic);
        types.SelectMany(t => t.Methods).Where(m => m.IsPrivate && m.HasOverrides).Should().NotBeEmpty("explicit interface implementations stay private");
        var originalForeign = original.MainModule.GetTypes().Where(t => !t.IsNested && !t.Namespace.StartsWith("Microsoft.ML", StringComparison.Ordinal))
            .ToDictionary(t => t.FullName, t => t.IsPublic);
        types.Where(t => originalForeign.ContainsKey(t.FullName)).Should().OnlyContain(t => t.IsPublic == originalForeign[t.FullName]);
    }

    [Fact]
    public void Formerly_internal_apis_are_marked_experimental_and_public_ones_are_not()
    {
        var output = Path.Combine(_directory, "Microsoft.ML.Core.dll");

        new AssemblyPublicizer("Microsoft.ML", "ARDML001").Publicize(CoreAssemblyPath, output);

        using var publicized = AssemblyDefinition.ReadAssembly(output);
        var saveContext = publicized.MainModule.GetType("Microsoft.ML.ModelSaveContext");
        MarkOf(saveContext).Should().BeNull("ModelSaveContext was public");
        MarkOf(saveContext.Methods.Single(m => m.Name == "Dispose")).Should().BeNull("Dispose was public");
        MarkOf(saveContext.Methods.Single(m => m.Name == "SetVersionInfo")).Should().Be("ARDML001");
        MarkOf(saveContext.Fields.Single(f => f.Name == "Writer")).Should().Be("ARDML001");
        var hostExtensions = publicized.MainModule.GetType("Microsoft.ML.Runtime.HostExtensions");
        MarkOf(hostExtensions).Should().Be("ARDML001");
        hostExtensions.Methods.Where(m => m.Name == "Warning").Should().OnlyContain(m => MarkOf(m) == "ARDML001",
            "a public method of an internal class was internal in effect");
        publicized.MainModule.GetTypes().SelectMany(t => t.Methods).Concat<ICustomAttributeProvider>(publicized.MainModule.GetTypes())
            .Should().OnlyContain(m => m.CustomAttributes.Count(a => a.AttributeType.Name == "ExperimentalAttribute") <= 1, "each API is marked once");
    }

    [Fact]
    public void Publicizing_again_gives_the_same_surface()
    {
        var first = Path.Combine(_directory, "first", "Microsoft.ML.Core.dll");
        var second = Path.Combine(_directory, "second", "Microsoft.ML.Core.dll");
        var publicizer = new AssemblyPublicizer("Microsoft.ML");

        var firstCounts = publicizer.Publicize(CoreAssemblyPath, first);
        var secondCounts = publicizer.Publicize(first, second);

        firstCounts.Types.Should().BeGreaterThan(0);
        secondCounts.Should().Be(new PublicizeCounts(0, 0, 0), "a publicized assembly has nothing left to change");
    }

    [Fact]
    public void The_running_process_uses_the_real_ml_net_assembly()
    {
        var loadContext = typeof(SchemaShape).Assembly.GetType("Microsoft.ML.ModelLoadContext", throwOnError: true)!;

        Path.GetFileName(typeof(SchemaShape).Assembly.Location).Should().Be("Microsoft.ML.Core.dll");
        loadContext.IsPublic.Should().BeFalse("the publicized copy is for the compiler only; the package assembly loads at run time");
    }

    private static string? MarkOf(ICustomAttributeProvider member) =>
        member.CustomAttributes.SingleOrDefault(a => a.AttributeType.FullName == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute")
            ?.ConstructorArguments.Single().Value as string;

    /// <summary>Microsoft.ML.Core.dll as loaded by the tests (the package assembly).</summary>
    private static string CoreAssemblyPath => typeof(SchemaShape).Assembly.Location;
}
