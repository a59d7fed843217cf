using ArdMl.BuildTools.Elf;
using static TorchSharp.torch;

namespace ArdMl.Tests.Build;

/// <summary>TorchSharp's native library loads in the test process thanks to the build step that patches the output copy.</summary>
public sealed class TorchSharpNativeLoadTests
{
    [Fact]
    public void Torch_loads_and_sums_a_tensor()
    {
        using var ones = TorchSharp.torch.ones(3);
        using var sum = ones.sum();

        sum.item<float>().Should().Be(3f);
    }

    [Fact]
    public void Torch_multiplies_matrices()
    {
        using var left = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var right = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var product = left.matmul(right);

        product.data<float>().ToArray().Should().Equal(19f, 22f, 43f, 50f);
    }

    [SkippableFact]
    public void Output_copy_is_weakened_exactly_when_the_host_libstdcxx_lacks_the_version()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "The native-load fix applies to Linux only.");
        var copies = TorchSharpNativeLibrary.FindOutputCopies();
        copies.Should().NotBeEmpty("the test output holds TorchSharp's native library");

        foreach (var copy in copies)
        {
            var image = ElfImage.Load(copy);
            var need = image.ReadVersionNeeds().Single(n => n.File == "libstdc++.so.6");
            var host = HostLibraryLocator.Find(need.File, image.Machine);
            Skip.If(host is null, "libstdc++.so.6 was not found on this host.");
            var hostDefines = ElfImage.Load(host!).ReadVersionDefinitions().Contains("GLIBCXX_3.4.32");

            need.Versions.Single(v => v.Name == "GLIBCXX_3.4.32").IsWeak.Should().Be(!hostDefines, $"{copy} is patched only where {host} lacks GLIBCXX_3.4.32");
        }
    }
}
