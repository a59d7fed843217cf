namespace ArdMl.Concepts;

/// <summary>
/// Names concepts without any model, from the captions or labels of their H clips.
/// <para>
/// Captions: every 1–3-gram of the H clips' captions (see the phrase rules: lower case, no leading/trailing stop
/// word, inflections merged by light stemming) is scored by the log-odds ratio with an informative Dirichlet prior
/// between H's captions and the rest of the corpus: with y the phrase's count and n the total phrase count in H and
/// in the rest R, α = α0·(corpus count / corpus total),
/// δ = ln((y_H+α)/(n_H+α0−y_H−α)) − ln((y_R+α)/(n_R+α0−y_R−α)), z = δ / √(1/(y_H+α) + 1/(y_R+α)).
/// Only phrases found in at least <see cref="OfflineNamerOptions.MinimumSupport"/> H clips compete where any are.
/// The highest z wins; ties go to more supporting clips, then fewer inner stop words, then more words, then the
/// ordinally smaller key. A longer phrase that contains the winner, has the same support and a positive z replaces it
/// ("dog barking" over "barking"; among several, the one with fewest inner stop words, then most words, then highest
/// z). The name is the phrase's most frequent surface form in H (ties: ordinal).
/// </para>
/// <para>
/// Labels: the label carried by the most H clips (each clip counts once per label, compared case-insensitively);
/// ties go to the label rarer in the corpus (more specific), then the ordinally smaller one; the name is its most
/// frequent spelling in H.
/// </para>
/// Without texts the name is "latent N" (<see cref="NamingSource.LatentIndex"/>).
/// </summary>
public sealed class OfflineConceptNamer : IConceptNamer
{
    private readonly OfflineNamerOptions _options;

    /// <summary>Creates the namer.</summary>
    public OfflineConceptNamer(OfflineNamerOptions? options = null)
    {
        _options = options ?? new OfflineNamerOptions();
        if (!(_options.PriorStrength > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.PriorStrength, "PriorStrength must be positive.");
        }

        if (_options.MinimumSupport < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MinimumSupport, "MinimumSupport must be at least 1.");
        }
    }

    /// <inheritdoc/>
    public Task<ConceptNaming> NameAsync(ConceptNamingRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Name(request));
    }

    /// <summary>Synchronous form of <see cref="NameAsync"/>.</summary>
    public ConceptNaming Name(ConceptNamingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var texts = request.TopTexts;
        var unnamed = ConceptNaming.UnnamedLatent(request.Latent);
        if (request.Corpus is null)
        {
            return new ConceptNaming(unnamed, NamingSource.LatentIndex, texts);
        }

        if (texts.Count == 0)
        {
            return new ConceptNaming(
                unnamed, NamingSource.LatentIndex, texts, $"none of the {request.TopClips.Count} H clips has a caption or label");
        }

        return request.Corpus.Kind == CaptionKind.Labels
            ? NameByLabels(request, request.Corpus, texts, unnamed)
            : NameByCaptions(request, request.Corpus, texts, unnamed);
    }

    private static ConceptNaming NameByLabels(ConceptNamingRequest request, CaptionCorpus corpus, IReadOnlyList<string> texts, string unnamed)
    {
        var clipsPerLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        var spellings = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var clip in request.TopClips)
        {
            foreach (var label in clip.Texts)
            {
                var key = CaptionPhrases.LabelKey(label);
                if (key.Length == 0)
                {
                    continue;
                }

                if (!spellings.TryGetValue(key, out var forms))
                {
                    spellings[key] = forms = new Dictionary<string, int>(StringComparer.Ordinal);
                }

                var spelling = string.Join(' ', label.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                forms[spelling] = forms.GetValueOrDefault(spelling) + 1;
            }

            foreach (var key in clip.Texts.Select(CaptionPhrases.LabelKey).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal))
            {
                clipsPerLabel[key] = clipsPerLabel.GetValueOrDefault(key) + 1;
            }
        }

        if (clipsPerLabel.Count == 0)
        {
            return new ConceptNaming(unnamed, NamingSource.LatentIndex, texts, "the H clips' labels are blank");
        }

        var best = clipsPerLabel
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => corpus.CountOf(pair.Key))
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .First().Key;
        return new ConceptNaming(MostFrequent(spellings[best]), NamingSource.MajorityLabel, texts);
    }

    private ConceptNaming NameByCaptions(ConceptNamingRequest request, CaptionCorpus corpus, IReadOnlyList<string> texts, string unnamed)
    {
        var phrases = new Dictionary<string, PhraseTally>(StringComparer.Ordinal);
        long topTotal = 0;
        for (var clipIndex = 0; clipIndex < request.TopClips.Count; clipIndex++)
        {
            foreach (var text in request.TopClips[clipIndex].Texts)
            {
                foreach (var (key, surface, words, innerStopWords) in CaptionPhrases.Extract(text))
                {
                    if (!phrases.TryGetValue(key, out var tally))
                    {
                        phrases[key] = tally = new PhraseTally(key, words, innerStopWords);
                    }

                    tally.Count++;
                    tally.Clips.Add(clipIndex);
                    tally.Surfaces[surface] = tally.Surfaces.GetValueOrDefault(surface) + 1;
                    topTotal++;
                }
            }
        }

        if (phrases.Count == 0)
        {
            return new ConceptNaming(unnamed, NamingSource.LatentIndex, texts, "the H clips' captions hold no content words");
        }

        var alpha0 = _options.PriorStrength;
        var corpusTotal = Math.Max(corpus.TotalCount, topTotal);
        var restTotal = Math.Max(corpusTotal - topTotal, 0);
        foreach (var tally in phrases.Values)
        {
            var corpusCount = Math.Max(corpus.CountOf(tally.Key), tally.Count);
            var restCount = Math.Max(corpusCount - tally.Count, 0);
            var alpha = alpha0 * corpusCount / corpusTotal;
            var topOdds = (tally.Count + alpha) / Math.Max(topTotal + alpha0 - tally.Count - alpha, 1e-9);
            var restOdds = (restCount + alpha) / Math.Max(restTotal + alpha0 - restCount - alpha, 1e-9);
            var delta = Math.Log(topOdds) - Math.Log(restOdds);
            tally.Z = delta / Math.Sqrt((1 / (tally.Count + alpha)) + (1 / (restCount + alpha)));
        }

        var required = phrases.Values.Any(t => t.Clips.Count >= _options.MinimumSupport) ? _options.MinimumSupport : 1;
        var ranked = phrases.Values
            .Where(t => t.Clips.Count >= required)
            .OrderByDescending(t => t.Z)
            .ThenByDescending(t => t.Clips.Count)
            .ThenBy(t => t.InnerStopWords)
            .ThenByDescending(t => t.Words)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        var best = ranked[0];
        var extension = ranked
            .Where(t => t.Words > best.Words && t.Clips.Count == best.Clips.Count && t.Z > 0
                        && ContainsPhrase(t.Key, best.Key))
            .OrderBy(t => t.InnerStopWords)
            .ThenByDescending(t => t.Words)
            .ThenByDescending(t => t.Z)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        best = extension ?? best;
        return new ConceptNaming(MostFrequent(best.Surfaces), NamingSource.CaptionPhrase, texts);
    }

    private static bool ContainsPhrase(string longer, string shorter) =>
        $" {longer} ".Contains($" {shorter} ", StringComparison.Ordinal);

    private static string MostFrequent(Dictionary<string, int> forms) =>
        forms.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).First().Key;

    private sealed class PhraseTally(string key, int words, int innerStopWords)
    {
        public string Key { get; } = key;

        public int Words { get; } = words;

        public int InnerStopWords { get; } = innerStopWords;

        public long Count { get; set; }

        public HashSet<int> Clips { get; } = [];

        public Dictionary<string, int> Surfaces { get; } = new(StringComparer.Ordinal);

        public double Z { get; set; }
    }
}
