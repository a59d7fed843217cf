namespace ArdMl.MlNet;

/// <summary>Concept discovery entries of the ArdMl catalog.</summary>
public sealed partial class ArdTransformsCatalog
{
    /// <summary>
    /// Discovers concepts (AR&amp;D retrieve, select, describe) from per-clip "MeanActivation" and "Coverage" columns
    /// when fitted, and maps clips to "ConceptScores" (r = μ·c per concept, SlotNames = concept names) and
    /// "TopConcepts" (the best concepts' names). Names come from the caption column where given (offline namer),
    /// otherwise concepts are named "latent N". Use the options overload for captions files, an LLM namer, baselines
    /// and selection settings.
    /// </summary>
    /// <param name="clipIdColumnName">The clip-id text column. Default "Path".</param>
    /// <param name="captionColumnName">A caption text column, or null.</param>
    public RankConceptsEstimator RankConcepts(string clipIdColumnName = "Path", string? captionColumnName = null) =>
        new(Environment, new RankConceptsOptions { ClipIdColumnName = clipIdColumnName, CaptionColumnName = captionColumnName });

    /// <summary>Discovers concepts with all options (see <see cref="RankConceptsOptions"/>).</summary>
    /// <param name="options">The options; validated here.</param>
    public RankConceptsEstimator RankConcepts(RankConceptsOptions options) => new(Environment, options);
}
