using System.Security.Cryptography;
using ArdMl.Demo;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Demo;

/// <summary>
/// The demo assembly carries the committed demo model (<c>models/demo</c>) into every output folder that references it,
/// byte for byte, so that <c>ard demo run</c> and the examples find it wherever they are started from.
/// </summary>
public sealed class DemoModelOutputCopyTests
{
    [Theory]
    [InlineData(DemoModelPackage.DescriptionFile)]
    [InlineData(DemoModelPackage.ModelFile)]
    public void The_committed_demo_model_file_lies_next_to_the_demo_assembly(string file)
    {
        var assemblyFolder = Path.GetDirectoryName(typeof(DemoModelPackage).Assembly.Location)!;
        var copy = Path.Combine(assemblyFolder, "models", "demo", file);
        File.Exists(copy).Should().BeTrue($"the build copies models/demo/{file} next to ArdMl.Demo.dll");
        SHA256.HashData(File.ReadAllBytes(copy)).Should().Equal(
            SHA256.HashData(File.ReadAllBytes(Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", file))),
            "the copy is the committed file");
    }
}
