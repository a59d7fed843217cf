using ArdMl.Concepts;
using ArdMl.MlNet;
using Microsoft.ML;

namespace ArdMl.Pipeline;

/// <summary>
/// How a run chose what μ averages over (<see cref="ClipMeanMode"/>) on its own clips, never on evaluation labels:
/// the same SAE's clips were ranked, named and selected under both readings, and the reading whose concept names hold
/// better was kept. Each name's concept of either reading is scored as the detection score does
/// (<see cref="ConceptDetectionScorer"/>: average precision of the name, averaged over groups when there are groups)
/// on the same clips, those outside the top clips of both readings' concepts of that name, so that neither reading
/// gains from leaving more of the name's clips to be found. The criterion of a reading is the mean over the names
/// either reading found of its concept's score (0 where it has none). A tie keeps all frames, the paper's reading.
/// </summary>
/// <param name="AllFrames">The criterion with μ over all frames (zeros included: r = ā·c²).</param>
/// <param name="ActiveFrames">The criterion with μ over the frames where a latent fires (r = ā·c).</param>
public sealed record ClipMeanModeChoice(double AllFrames, double ActiveFrames)
{
    /// <summary>The reading kept: active frames where its criterion is higher, else all frames.</summary>
    public ClipMeanMode Chosen => ActiveFrames > AllFrames ? ClipMeanMode.ActiveFrames : ClipMeanMode.AllFrames;

    /// <summary>
    /// Compares the concepts RankConcepts found under each reading from the clips' statistics under that reading (the
    /// SAE stage's output with <see cref="ClipMeanMode.AllFrames"/> and with <see cref="ClipMeanMode.ActiveFrames"/>,
    /// same SAE and clips), as <see cref="DiscoveryPipeline"/> does when its mean mode is left open. The statistics are
    /// streamed; each reading's scorer keeps its own sample of clips.
    /// </summary>
    /// <param name="allFrames">The concepts found with μ over all frames.</param>
    /// <param name="allFramesStatistics">The clips' statistics with μ over all frames.</param>
    /// <param name="activeFrames">The concepts found with μ over the active frames.</param>
    /// <param name="activeFramesStatistics">The clips' statistics with μ over the active frames.</param>
    /// <param name="corpus">The captions or labels the concepts were named from.</param>
    /// <param name="clipIdColumnName">The clip id column (text) of both statistics views.</param>
    /// <param name="groupPattern">The group pattern of the detection score (null: one group).</param>
    /// <param name="meanActivationColumnName">The μ column (per latent).</param>
    /// <param name="coverageColumnName">The c column (per latent).</param>
    public static ClipMeanModeChoice Measure(
        ConceptDictionary allFrames,
        IDataView allFramesStatistics,
        ConceptDictionary activeFrames,
        IDataView activeFramesStatistics,
        CaptionCorpus corpus,
        string clipIdColumnName,
        string? groupPattern = null,
        string meanActivationColumnName = "MeanActivation",
        string coverageColumnName = "Coverage")
    {
        ArgumentNullException.ThrowIfNull(allFrames);
        ArgumentNullException.ThrowIfNull(allFramesStatistics);
        ArgumentNullException.ThrowIfNull(activeFrames);
        ArgumentNullException.ThrowIfNull(activeFramesStatistics);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(clipIdColumnName);
        var detection = new ConceptDetectionOptions { GroupPattern = groupPattern };
        ConceptDetectionScorer Fed(ConceptDictionary dictionary, IDataView statistics)
        {
            var scorer = new ConceptDetectionScorer(dictionary, corpus, detection);
            RankConceptsEstimator.AddStatistics(scorer, statistics, clipIdColumnName, meanActivationColumnName, coverageColumnName);
            return scorer;
        }

        return Measure(Fed(allFrames, allFramesStatistics), Fed(activeFrames, activeFramesStatistics));
    }

    /// <summary>
    /// Compares two readings' concepts from scorers that were given the same clips, each with its reading's μ (and the
    /// same corpus and options): <see cref="ConceptDetectionScorer.SharedClipCriteria"/> of the two.
    /// </summary>
    /// <param name="allFrames">The scorer of the concepts found with μ over all frames.</param>
    /// <param name="activeFrames">The scorer of the concepts found with μ over the active frames.</param>
    public static ClipMeanModeChoice Measure(ConceptDetectionScorer allFrames, ConceptDetectionScorer activeFrames)
    {
        ArgumentNullException.ThrowIfNull(allFrames);
        ArgumentNullException.ThrowIfNull(activeFrames);
        var criteria = ConceptDetectionScorer.SharedClipCriteria([allFrames, activeFrames]);
        return new(criteria[0], criteria[1]);
    }
}
