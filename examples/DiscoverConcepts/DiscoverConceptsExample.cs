using System.Globalization;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Examples.DiscoverConcepts;

/// <summary>
/// Discovers concepts in a folder of clips with a described model, as one ML.NET pipeline:
/// LoadAudio → ExtractActivations → TrainSparseAutoencoder → RankConcepts; fits it, saves it, loads it back and prints
/// the concepts and each clip's top concepts.
/// </summary>
public static class DiscoverConceptsExample
{
    /// <summary>
    /// Runs the example. Options: <c>--audio &lt;folder&gt;</c> (default: a generated demo corpus), <c>--model &lt;description.json&gt;</c>
    /// (default: models/demo), <c>--tap &lt;name&gt;</c>, <c>--clips &lt;n&gt;</c> (demo corpus size, default 60),
    /// <c>--latents &lt;m&gt;</c> (default 64), <c>--out &lt;model.zip&gt;</c>.
    /// </summary>
    /// <returns>0 on success.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var audio = ExampleInputs.Option(args, "--audio");
        var description = ExampleInputs.Option(args, "--model") ?? ExampleInputs.DemoModelDescription();
        var tap = ExampleInputs.Option(args, "--tap");
        int clipCount = int.Parse(ExampleInputs.Option(args, "--clips") ?? "60", CultureInfo.InvariantCulture);
        int latents = int.Parse(ExampleInputs.Option(args, "--latents") ?? "64", CultureInfo.InvariantCulture);
        string? corpusFolder = null;
        var zip = ExampleInputs.Option(args, "--out") ?? Path.Combine(Path.GetTempPath(), $"ardml-concepts-{Guid.NewGuid():N}.zip");
        try
        {
            List<ClipRow> rows;
            if (audio is null)
            {
                var corpus = ExampleInputs.WriteDemoCorpus(clipCount);
                corpusFolder = corpus.Directory;
                rows = [.. corpus.Entries.Select(e => new ClipRow { Path = e.Path, Caption = e.Caption })];
                output.WriteLine($"Generated a demo corpus of {rows.Count} clips in {corpusFolder}.");
            }
            else
            {
                string[] extensions = [".wav", ".flac", ".mp3", ".ogg"];
                rows = [.. Directory.EnumerateFiles(audio, "*", SearchOption.AllDirectories)
                    .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal)
                    .Select(f => new ClipRow { Path = f, Caption = string.Empty })];
                if (rows.Count == 0)
                {
                    throw new ArgumentException($"No audio clips in '{audio}'.");
                }
            }

            bool captioned = rows.Any(r => r.Caption.Length > 0);
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var ard = ml.Transforms.Ard();
            var pipeline = ard.LoadAudio()
                .Append(ard.ExtractActivations(description, tap))
                .Append(ard.TrainSparseAutoencoder(latentCount: latents, k: 4, steps: 150, batchSize: 256))
                .Append(ard.RankConcepts(new RankConceptsOptions
                {
                    ClipIdColumnName = nameof(ClipRow.Path),
                    CaptionColumnName = captioned ? nameof(ClipRow.Caption) : null,
                    MinimumMonosemanticity = null,
                    ConceptCount = 10,
                }));
            output.WriteLine($"Fitting LoadAudio → ExtractActivations({Path.GetFileName(description)}) → TrainSparseAutoencoder(m={latents}, k=4) → RankConcepts on {rows.Count} clips...");
            var model = pipeline.Fit(data);
            ml.Model.Save(model, data.Schema, zip);
            output.WriteLine($"Saved the fitted pipeline to {zip}.");

            var loadedContext = new MLContext(seed: 1);
            var loaded = loadedContext.Model.Load(zip, out _);
            var concepts = FindConcepts(loaded)
                ?? throw new InvalidDataException($"The saved model {zip} holds no RankConcepts stage.");
            output.WriteLine($"Loaded it back: {concepts.Dictionary.Concepts.Count} concepts over {concepts.Dictionary.LatentCount} latents:");
            foreach (var concept in concepts.Dictionary.Concepts)
            {
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  latent {concept.Latent,3}  monosemanticity {concept.Monosemanticity,6:F2}  active in {concept.ActiveClipCount,3} clips  \"{concept.Name}\""));
            }

            var scored = loaded.Transform(loadedContext.Data.LoadFromEnumerable(rows.Take(5)));
            var ids = scored.GetColumn<string>(nameof(ClipRow.Path)).ToList();
            var tops = scored.GetColumn<string>(concepts.TopConceptsColumnName).ToList();
            output.WriteLine("Top concepts of the first clips (loaded model):");
            for (int i = 0; i < ids.Count; i++)
            {
                output.WriteLine($"  {Path.GetFileName(ids[i])}: {tops[i]}");
            }

            return 0;
        }
        finally
        {
            if (corpusFolder is not null)
            {
                Directory.Delete(corpusFolder, recursive: true);
            }

            if (ExampleInputs.Option(args, "--out") is null && File.Exists(zip))
            {
                File.Delete(zip);
            }
        }
    }

    private static ConceptTransformer? FindConcepts(ITransformer transformer) => transformer switch
    {
        ConceptTransformer concepts => concepts,
        IEnumerable<ITransformer> chain => chain.Select(FindConcepts).FirstOrDefault(t => t is not null),
        _ => null,
    };

    /// <summary>One input row: a clip path and its caption (empty when none).</summary>
    public sealed class ClipRow
    {
        /// <summary>The clip's path.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>The clip's caption.</summary>
        public string Caption { get; set; } = string.Empty;
    }
}
