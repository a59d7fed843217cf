namespace ArdMl.Concepts;

/// <summary>
/// Select and describe: turns a ranking (pass 1) and its monosemanticity scores (pass 2) into a named
/// <see cref="ConceptDictionary"/>. Latents are kept by <see cref="ConceptSelectionOptions"/>, named by the namer
/// (one at a time by default, in dictionary order), and dead latents are listed, never named.
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
    /// <param name="maxConcurrentNaming">
    /// How many concepts are named at once (default 1). Raise it for a language model server that serves requests in
    /// parallel; the namer must then be safe to call concurrently (the built-in namers are). The dictionary order
    /// does not depend on it.
    /// </param>
    /// <param name="cancellationToken">Stops naming.</param>
    public static async Task<ConceptDictionary> BuildAsync(
        RankingResult ranking,
        IReadOnlyList<MonosemanticityScore> scores,
        ConceptSelectionOptions? selection = null,
        CaptionCorpus? corpus = null,
        IConceptNamer? namer = null,
        IProgress<ConceptNamingProgress>? progress = null,
        int maxConcurrentNaming = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != ranking.LatentCount)
        {
            throw new ArgumentException(
                $"Expected one monosemanticity score per latent ({ranking.LatentCount}); got {scores.Count}.", nameof(scores));
        }

        if (maxConcurrentNaming < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxConcurrentNaming), maxConcurrentNaming, "At least one concept must be named at a time.");
        }

        selection ??= new ConceptSelectionOptions();
        namer ??= new OfflineConceptNamer();
        var kept = selection.Select(scores);
        var namings = new ConceptNaming[kept.Count];
        var named = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, kept.Count),
            new ParallelOptions { MaxDegreeOfParallelism = maxConcurrentNaming, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var latent = ranking.Latents[kept[index].Latent];
                var request = new ConceptNamingRequest
                {
                    Latent = latent.Latent,
                    TopClips = [.. latent.Top.Select(c => new ClipTexts(c.ClipId, corpus?.Table.TextsOf(c.ClipId) ?? []))],
                    Corpus = corpus,
                };
                var naming = await namer.NameAsync(request, token).ConfigureAwait(false);
                namings[index] = naming;
                progress?.Report(new ConceptNamingProgress(Interlocked.Increment(ref named), kept.Count, naming.Name));
            }).ConfigureAwait(false);

        var concepts = new List<Concept>(kept.Count);
        for (var index = 0; index < kept.Count; index++)
        {
            var score = kept[index];
            var latent = ranking.Latents[score.Latent];
            var naming = namings[index];
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
        }

        var dead = ranking.Latents.Where(l => l.IsDead).Select(l => l.Latent).ToList();
        return new ConceptDictionary(ranking.LatentCount, ranking.ClipCount, ranking.Options, concepts, dead);
    }
}
