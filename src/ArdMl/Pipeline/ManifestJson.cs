using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArdMl.Pipeline;

/// <summary>
/// How the pipeline's folder manifests (run.json, part.json) are kept: camel-case JSON with enum names, written
/// through a temporary file so a reader never sees half of one, and read with errors that name the file.
/// </summary>
internal static class ManifestJson
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="manifest"/> to <paramref name="path"/> whole.</summary>
    public static void Write<T>(string path, T manifest)
    {
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(manifest, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Reads the manifest at <paramref name="path"/> and checks that it is of <paramref name="format"/> and of a version
    /// this build reads.
    /// </summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="missing">The message when the file does not exist (what the folder is not, and what to run).</param>
    /// <param name="format">The manifest's format name.</param>
    /// <param name="currentVersion">The newest version this build reads.</param>
    /// <param name="formatOf">The manifest's format field.</param>
    /// <param name="versionOf">The manifest's version field.</param>
    public static T Read<T>(string path, string missing, string format, int currentVersion, Func<T, string> formatOf, Func<T, int> versionOf)
        where T : class
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(missing, path);
        }

        T? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid {format} manifest: {e.Message}", e);
        }

        if (manifest is null || formatOf(manifest) != format)
        {
            throw new InvalidDataException($"'{path}' is not a {format} manifest (expected format \"{format}\").");
        }

        if (versionOf(manifest) > currentVersion)
        {
            throw new InvalidDataException($"'{path}' has manifest version {versionOf(manifest)}; this build reads up to {currentVersion}.");
        }

        if (versionOf(manifest) < 1)
        {
            throw new InvalidDataException($"'{path}' has manifest version {versionOf(manifest)}; versions start at 1.");
        }

        return manifest;
    }
}
