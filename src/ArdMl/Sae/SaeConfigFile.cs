using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArdMl.Sae;

/// <summary>
/// The JSON config file beside an SAE's safetensors weights, as sparsify and SAELens both keep one: written
/// atomically, read with the directory's two files checked first, and typed fields read with errors naming the file
/// and field.
/// </summary>
internal static class SaeConfigFile
{
    /// <summary>Writes <paramref name="config"/> indented to <paramref name="path"/> through a temporary file.</summary>
    public static void Write(string path, JsonObject config)
    {
        File.WriteAllText(path + ".tmp", config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Reads the config of the SAE directory <paramref name="directory"/>, which must hold both
    /// <paramref name="configFileName"/> and <paramref name="weightsFileName"/>; <paramref name="layout"/> names the
    /// layout in the error.
    /// </summary>
    public static (JsonObject Config, string ConfigPath, string WeightsPath) Read(
        string directory, string configFileName, string weightsFileName, string layout)
    {
        string configPath = Path.Combine(directory, configFileName);
        string weightsPath = Path.Combine(directory, weightsFileName);
        if (!File.Exists(configPath) || !File.Exists(weightsPath))
        {
            throw new FileNotFoundException(
                $"'{directory}' is not a {layout} SAE directory: it needs {configFileName} and {weightsFileName}.",
                File.Exists(configPath) ? weightsPath : configPath);
        }

        try
        {
            var config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new InvalidDataException($"'{configPath}' is not a JSON object.");
            return (config, configPath, weightsPath);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>An integer field, or null when absent.</summary>
    public static int? ReadInt(JsonObject config, string field, string path)
    {
        var node = config[field];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int value)
            ? value
            : throw new InvalidDataException($"'{path}': field '{field}' must be an integer.");
    }

    /// <summary>A true/false field, or <paramref name="fallback"/> when absent.</summary>
    public static bool ReadBool(JsonObject config, string field, string path, bool fallback = false)
    {
        var node = config[field];
        if (node is null)
        {
            return fallback;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"'{path}': field '{field}' must be true or false."),
        };
    }

    /// <summary>A string field, or null when absent.</summary>
    public static string? ReadString(JsonObject config, string field, string path)
    {
        var node = config[field];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw new InvalidDataException($"'{path}': field '{field}' must be a string.");
    }
}
