using System.IO.Compression;
using Microsoft.ML;

namespace ArdMl.MlNet;

/// <summary>
/// Loads a model zip saved with <c>mlContext.Model.Save</c> from a pipeline of ArdMl stages, as
/// <c>mlContext.Model.Load</c> does, but refuses a file that cannot be one with a <see cref="ModelFileException"/>
/// naming the file and what was expected: missing, not a zip archive, a zip that is not an ML.NET model, an ML.NET
/// model without ArdMl stages, or a stage whose saved format this build cannot read.
/// </summary>
public static class ArdModelFile
{
    private const string Expected = "expected a model zip saved by 'ard discover' (or mlContext.Model.Save of ArdMl stages)";

    /// <summary>Loads the model at <paramref name="path"/>; <paramref name="inputSchema"/> receives the schema it was fitted on.</summary>
    /// <param name="ml">The context to load into.</param>
    /// <param name="path">The model zip.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="ModelFileException">The file is not a loadable ArdMl model.</exception>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ModelFileException(path, $"is a folder; {Expected}.");
        }

        if (!File.Exists(path))
        {
            throw new ModelFileException(path, $"does not exist; {Expected}.", new FileNotFoundException(null, path));
        }

        CheckIsModelZip(path);
        ITransformer model;
        try
        {
            model = ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFileException(path, $"cannot be loaded: {Cause(e).Message}", e);
        }

        if (!Stages(model).Any(t => t is ArdRowToRowTransformer))
        {
            throw new ModelFileException(path, $"is an ML.NET model without ArdMl stages; {Expected}.");
        }

        return model;
    }

    /// <summary>
    /// The last stage of type <typeparamref name="T"/> in <paramref name="model"/> (searching nested chains), or a
    /// <see cref="ModelFileException"/> naming <paramref name="path"/> and the stage (<paramref name="stageName"/>) it lacks.
    /// </summary>
    /// <param name="model">A loaded model.</param>
    /// <param name="path">The file it was loaded from (for the message).</param>
    /// <param name="stageName">The stage's name in the message, e.g. "concept stage (RankConcepts)".</param>
    public static T RequireStage<T>(ITransformer model, string path, string stageName)
        where T : class, ITransformer =>
        Stages(model).OfType<T>().LastOrDefault()
            ?? throw new ModelFileException(path, $"holds no {stageName}; {Expected}.");

    /// <summary>
    /// Checks that <paramref name="model"/> accepts data of schema <paramref name="input"/> (for example activations
    /// of the width and tap it was fitted on); otherwise a <see cref="ModelFileException"/> naming
    /// <paramref name="path"/> and the column that does not fit.
    /// </summary>
    /// <param name="model">A loaded model.</param>
    /// <param name="path">The file it was loaded from (for the message).</param>
    /// <param name="input">The schema of the data it is to be applied to.</param>
    public static void CheckFits(ITransformer model, string path, DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            model.GetOutputSchema(input);
        }
        catch (ArgumentException e)
        {
            var text = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ModelFileException(path, $"does not fit the data it is applied to: {text.Split('\n')[0].Trim()}", e);
        }
    }

    /// <summary>Every stage of <paramref name="model"/>, nested chains flattened, in pipeline order.</summary>
    /// <param name="model">A loaded model.</param>
    public static IEnumerable<ITransformer> Stages(ITransformer model) => model switch
    {
        null => throw new ArgumentNullException(nameof(model)),
        IEnumerable<ITransformer> chain => chain.SelectMany(Stages),
        _ => [model],
    };

    private static void CheckIsModelZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }

        // Local file header (PK\x03\x04) or, for an empty archive, the end-of-central-directory record (PK\x05\x06).
        if (read < 4 || magic[0] != 'P' || magic[1] != 'K' || !((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6)))
        {
            throw new ModelFileException(path, $"is not a zip archive ({(read == 0 ? "the file is empty" : "it does not start with a zip header")}); {Expected}.");
        }

        try
        {
            using var archive = ZipFile.OpenRead(path);

            // ML.NET writes a Model.key entry into the folder of every saved model.
            if (!archive.Entries.Any(e => e.Name == "Model.key"))
            {
                throw new ModelFileException(path, $"is a zip archive but not an ML.NET model (it has no Model.key entry); {Expected}.");
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"is a damaged zip archive ({e.Message}); {Expected}.", e);
        }
    }

    /// <summary>
    /// ML.NET wraps what a loader throws (TargetInvocationException, InvalidOperationException): the deepest
    /// InvalidDataException or IOException is the one that says what is wrong with the file, else the innermost.
    /// </summary>
    private static Exception Cause(Exception exception)
    {
        Exception innermost = exception;
        Exception? cause = null;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            innermost = e;
            if (e is InvalidDataException or IOException && e is not ModelFileException)
            {
                cause = e;
            }
        }

        return cause ?? innermost;
    }
}
