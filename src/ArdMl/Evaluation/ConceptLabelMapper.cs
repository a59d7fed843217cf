namespace ArdMl.Evaluation;

/// <summary>
/// Maps concept names to a label vocabulary. First by normal form (<see cref="LabelTextNormalizer"/>; when several
/// labels share a normal form the ordinally first is taken); where that fails and an <see cref="ITextEmbedder"/> is
/// given, to the label whose embedding has the highest cosine similarity with the name's, if it reaches
/// <see cref="EmbeddingThreshold"/> (ties: the ordinally first label). Otherwise the concept is unmapped.
/// </summary>
public sealed class ConceptLabelMapper
{
    /// <summary>The default minimum cosine similarity for an embedding match.</summary>
    public const double DefaultEmbeddingThreshold = 0.8;

    private readonly IReadOnlyList<string> _vocabulary;
    private readonly Dictionary<string, string> _byNormalForm = new(StringComparer.Ordinal);
    private readonly ITextEmbedder? _embedder;
    private float[][]? _labelVectors;

    /// <summary>Creates a mapper over <paramref name="vocabulary"/>.</summary>
    /// <param name="vocabulary">The labels (duplicates are ignored).</param>
    /// <param name="embedder">Optional text embedder for names without a normalised match.</param>
    /// <param name="embeddingThreshold">Minimum cosine similarity in [-1, 1] for an embedding match.</param>
    public ConceptLabelMapper(
        IEnumerable<string> vocabulary, ITextEmbedder? embedder = null, double embeddingThreshold = DefaultEmbeddingThreshold)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (double.IsNaN(embeddingThreshold) || embeddingThreshold < -1 || embeddingThreshold > 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(embeddingThreshold), embeddingThreshold, "The embedding threshold is a cosine similarity in [-1, 1].");
        }

        _vocabulary = [.. vocabulary.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        foreach (var label in _vocabulary)
        {
            _byNormalForm.TryAdd(LabelTextNormalizer.Normalize(label), label);
        }

        _embedder = embedder;
        EmbeddingThreshold = embeddingThreshold;
    }

    /// <summary>The minimum cosine similarity for an embedding match.</summary>
    public double EmbeddingThreshold { get; }

    /// <summary>Maps each name; the result is in the order of <paramref name="conceptNames"/>.</summary>
    public IReadOnlyList<ConceptLabelMatch> Map(IReadOnlyList<string> conceptNames)
    {
        ArgumentNullException.ThrowIfNull(conceptNames);
        var matches = new ConceptLabelMatch[conceptNames.Count];
        var pending = new List<int>();
        for (int i = 0; i < conceptNames.Count; i++)
        {
            var name = conceptNames[i] ?? throw new ArgumentException($"Concept name {i} is null.", nameof(conceptNames));
            if (_byNormalForm.TryGetValue(LabelTextNormalizer.Normalize(name), out var label))
            {
                matches[i] = new ConceptLabelMatch(name, label, LabelMatchKind.Normalized, 1.0);
            }
            else if (_embedder is null || _vocabulary.Count == 0)
            {
                matches[i] = new ConceptLabelMatch(name, null, LabelMatchKind.Unmapped, double.NaN);
            }
            else
            {
                pending.Add(i);
            }
        }

        if (pending.Count > 0)
        {
            var labelVectors = _labelVectors ??= EmbedChecked(_vocabulary, "label");
            var nameVectors = EmbedChecked([.. pending.Select(i => conceptNames[i])], "concept name");
            for (int p = 0; p < pending.Count; p++)
            {
                int best = -1;
                double bestCosine = double.NegativeInfinity;
                for (int l = 0; l < labelVectors.Length; l++)
                {
                    var cosine = Cosine(nameVectors[p], labelVectors[l], conceptNames[pending[p]], _vocabulary[l]);
                    if (cosine > bestCosine)
                    {
                        bestCosine = cosine;
                        best = l;
                    }
                }

                var name = conceptNames[pending[p]];
                matches[pending[p]] = bestCosine >= EmbeddingThreshold
                    ? new ConceptLabelMatch(name, _vocabulary[best], LabelMatchKind.Embedding, bestCosine)
                    : new ConceptLabelMatch(name, null, LabelMatchKind.Unmapped, bestCosine);
            }
        }

        return matches;
    }

    private float[][] EmbedChecked(IReadOnlyList<string> texts, string what)
    {
        var vectors = _embedder!.Embed(texts);
        if (vectors is null || vectors.Count != texts.Count)
        {
            throw new InvalidOperationException(
                $"The text embedder returned {vectors?.Count ?? 0} vectors for {texts.Count} {what} texts.");
        }

        return [.. vectors];
    }

    private static double Cosine(float[] a, float[] b, string name, string label)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            throw new InvalidOperationException(
                $"The text embedder returned vectors of lengths {a.Length} ('{name}') and {b.Length} ('{label}'); they must be equal and non-zero.");
        }

        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
