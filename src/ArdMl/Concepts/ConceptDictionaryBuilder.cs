namespace ArdMl.Concepts;

/// <summary>
/// Select and describe: turns a ranking (pass 1) and its monosemanticity scores (pass 2) into a named
/// <see cref="ConceptDictionary"/>. Latents are kept by <see cref="ConceptSelectionOptions"/>, named one by one in
/// dictionary order by the namer, and dead latents are listed, never named.
/// </summary>
public static class ConceptDictionaryBuilder
{
    /// <summary>Builds the dictionary.</summary>
    /// <param name="ranking">Pass 1's result.</param>
    /// <param name="scores">Monosemanticity per latent (from <see cref="MonosemanticityScorer"/>).</param>
    /// <param name="selection">Which latents to keep (default: m above 1).</param>
    /// <param name="corpus">Captions or labels of the corpus, or null when there are none.</param>
    /// <param name="namer">The namer (default <see cref="OfflineConceptNamer"/>; without a corpus it names "latent N").</param>
    /// <param name="progress">Receives a report after each concept is named.</param>
    /// <param name="cancellationToken">Stops naming.</param>
    public static async Task<ConceptDictionary> BuildAsync(
        RankingResult ranking,
        IReadOnlyList<MonosemanticityScore> scores,
        ConceptSelectionOptions? selection = null,
        CaptionCorpus? corpus = null,
        IConceptNamer? namer = null,
        IProgress<ConceptNamingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != ranking.LatentCount)
        {
            throw new ArgumentException(
                $"Expected one monosemanticity score per latent ({ranking.LatentCount}); got {scores.Count}.", nameof(scores));
        }

        selection ??= new ConceptSelectionOptions();
        namer ??= new OfflineConceptNamer();
        var kept = selection.Select(scores);
        var concepts = new List<Concept>(kept.Count);
        foreach (var score in kept)
        {
            var latent = ranking.Latents[score.Latent];
            var request = new ConceptNamingRequest
            {
                Latent = latent.Latent,
                TopClips = [.. latent.Top.Select(c => new ClipTexts(c.ClipId, corpus?.Table.TextsOf(c.ClipId) ?? []))],
                Corpus = corpus,
            };
            var naming = await namer.NameAsync(request, cancellationToken).ConfigureAwait(false);
            concepts.Add(new Concept
            {
                Latent = latent.Latent,
                Name = naming.Name,
                NamingSource = naming.Source,
                NamingFailure = naming.Failure,
                CaptionsUsed = naming.CaptionsUsed,
                Monosemanticity = score.Score,
                TopCohesion = score.TopCohesion,
                BottomCohesion = score.BottomCohesion,
                ActiveClipCount = latent.ActiveClipCount,
                ActiveClipShare = latent.ActiveClipShare,
                MeanCoverage = latent.MeanCoverage,
                MeanRepresentativeness = latent.MeanRepresentativeness,
                MaxRepresentativeness = latent.MaxRepresentativeness,
                PositiveRepresentativenessCount = latent.PositiveRepresentativenessCount,
                Top = latent.Top,
                Bottom = latent.Bottom,
            });
            progress?.Report(new ConceptNamingProgress(concepts.Count, kept.Count, naming.Name));
        }

        var dead = ranking.Latents.Where(l => l.IsDead).Select(l => l.Latent).ToList();
        return new ConceptDictionary(ranking.LatentCount, ranking.ClipCount, ranking.Options, concepts, dead);
    }
}
