using System.Reflection;

namespace ArdMl.Tests.Build;

/// <summary>Locates the original libLibTorchSharp.so in the NuGet package folder and the copy in the test output.</summary>
internal static class TorchSharpNativeLibrary
{
    public const string FileName = "libLibTorchSharp.so";

    public static string SkipMessage => $"{FileName} of the TorchSharp package is not in the NuGet package folder of this machine (Linux x64 only).";

    /// <summary>The untouched library in the package cache, or null.</summary>
    public static string? FindPackageOriginal()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var informational = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational?.Split('+')[0] ?? "0.107.0";
        var path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", FileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>The copies of the library in this test run's output folder.</summary>
    public static IReadOnlyList<string> FindOutputCopies() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, FileName, SearchOption.AllDirectories).ToList();
}
