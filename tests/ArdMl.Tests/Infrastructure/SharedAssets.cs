namespace ArdMl.Tests.Infrastructure;

/// <summary>
/// Locates the read-only reference material beside the repository (<c>../shared</c>): pretrained ONNX models and real
/// recordings. Tests read them in place and skip with a clear message where they are absent (a user's checkout).
/// The location can be overridden with the <c>ARDML_SHARED</c> environment variable.
/// </summary>
public static class SharedAssets
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The repository root (the folder holding ArdMl.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared folder, or null where it is absent.</summary>
    public static string? SharedRoot => Root.Value;

    /// <summary>The skip message used when the shared folder is absent.</summary>
    public static string MissingMessage =>
        "../shared is absent (set ARDML_SHARED to its path): real models and recordings are not available here.";

    /// <summary>Path below the shared folder, or null where the shared folder or that path is absent.</summary>
    public static string? TryGet(params string[] parts)
    {
        if (SharedRoot is null)
        {
            return null;
        }

        var path = Path.Combine([SharedRoot, .. parts]);
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }

    private static string? FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ARDML_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(candidate, "models")) || Directory.Exists(Path.Combine(candidate, "data"))
            ? candidate
            : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ArdMl.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"ArdMl.sln was not found above {AppContext.BaseDirectory}.");
    }
}
