using ArdMl.Concepts;
using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Fits a <see cref="ConceptDictionary"/> on a corpus of clips and returns the <see cref="ConceptTransformer"/> that
/// applies it. Fit streams the data twice: pass 1 ranks the clips of every latent from MeanActivation/Coverage
/// (memory O(m·p)); pass 2 reads the embeddings of the clips in some H or L set only. Then it scores
/// monosemanticity, keeps the selected latents and names them. Create it with
/// <c>mlContext.Transforms.Ard().RankConcepts(...)</c>.
/// </summary>
public sealed class RankConceptsEstimator : ArdEstimator<ConceptTransformer>
{
    private const string ExpectedVector = "a vector of Single";
    private readonly RankConceptsOptions _options;

    internal RankConceptsEstimator(IHostEnvironment environment, RankConceptsOptions options)
        : base(environment, nameof(RankConceptsEstimator))
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>
    /// The input shape plus ConceptScores (a known-size vector of Single with slot names; its size, the number of
    /// concepts, is known after Fit) and TopConcepts (text). Throws <see cref="ArgumentOutOfRangeException"/> naming a
    /// missing or mistyped input column.
    /// </summary>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArdSchemaShapes.RequireColumn(inputSchema, _options.ClipIdColumnName, "text (clip ids)",
            c => ArdSchemaShapes.IsScalarOf(c, TextDataViewType.Instance));
        ArdSchemaShapes.RequireColumn(inputSchema, _options.MeanActivationColumnName, ExpectedVector,
            c => ArdSchemaShapes.IsVectorOf(c, NumberDataViewType.Single));
        ArdSchemaShapes.RequireColumn(inputSchema, _options.CoverageColumnName, ExpectedVector,
            c => ArdSchemaShapes.IsVectorOf(c, NumberDataViewType.Single));
        if (_options.EmbeddingColumnName is { } embedding)
        {
            ArdSchemaShapes.RequireColumn(inputSchema, embedding, ExpectedVector, c => ArdSchemaShapes.IsVectorOf(c, NumberDataViewType.Single));
        }

        if (_options.CaptionColumnName is { } caption)
        {
            ArdSchemaShapes.RequireColumn(inputSchema, caption, "text (captions or labels)", c => ArdSchemaShapes.IsScalarOf(c, TextDataViewType.Instance));
        }

        // The number of concepts is known only after Fit: the shape says "a vector of known size with slot names".
        return ArdSchemaShapes.WithOutputs(inputSchema, ConceptTransformer.OutputColumnsFor(_options.ConceptScoresColumnName, _options.TopConceptsColumnName, ["concept"]));
    }

    private protected override ConceptTransformer FitCore(IDataView input)
    {
        using var channel = Host.Start("RankConcepts");
        var schema = input.Schema;
        var idColumn = schema[_options.ClipIdColumnName];
        var meanColumn = schema[_options.MeanActivationColumnName];
        var coverageColumn = schema[_options.CoverageColumnName];
        var captionColumn = _options.CaptionColumnName is { } captionName ? schema[captionName] : (DataViewSchema.Column?)null;
        var latentCount = LatentCount(input, meanColumn, coverageColumn);

        // Pass 1: rank.
        var ranker = new ConceptRanker(latentCount, _options.RankerOptions());
        var captions = new List<(string ClipId, string Text)>();
        var clipIds = _options.CaptionFilePath is null ? null : new List<string>();
        var reader = new StatisticsReader(latentCount, _options.MeanActivationColumnName, _options.CoverageColumnName);
        var columns = new List<DataViewSchema.Column> { idColumn, meanColumn, coverageColumn };
        if (captionColumn is { } captionCol)
        {
            columns.Add(captionCol);
        }

        using (var cursor = input.GetRowCursor(columns))
        {
            var id = cursor.GetGetter<ReadOnlyMemory<char>>(idColumn);
            var mean = cursor.GetGetter<VBuffer<float>>(meanColumn);
            var coverage = cursor.GetGetter<VBuffer<float>>(coverageColumn);
            var caption = captionColumn is { } c ? cursor.GetGetter<ReadOnlyMemory<char>>(c) : null;
            ReadOnlyMemory<char> idValue = default, captionValue = default;
            VBuffer<float> meanValue = default, coverageValue = default;
            while (cursor.MoveNext())
            {
                id(ref idValue);
                mean(ref meanValue);
                coverage(ref coverageValue);
                var clipId = idValue.ToString();
                reader.Add(ranker, clipId, meanValue, coverageValue);
                clipIds?.Add(clipId);
                if (caption is not null)
                {
                    caption(ref captionValue);
                    captions.Add((clipId, captionValue.ToString()));
                }
            }
        }

        var ranking = ranker.Complete();
        if (ranking.ClipCount == 0)
        {
            throw new InvalidOperationException("RankConcepts: the training data has no rows; concepts need a corpus of clips.");
        }

        // Pass 2: embeddings of the H/L clips.
        var embeddings = CollectEmbeddings(input, ranking);
        var scores = MonosemanticityScorer.Score(ranking, embeddings, new MonosemanticityOptions
        {
            MinimumPooledStandardDeviation = _options.MinimumPooledStandardDeviation,
        });

        var corpus = Captions(channel, captions, clipIds);
        var dictionary = ConceptDictionaryBuilder.BuildAsync(
                ranking,
                scores,
                new ConceptSelectionOptions { MinimumMonosemanticity = _options.MinimumMonosemanticity, ConceptCount = _options.ConceptCount },
                corpus,
                _options.Namer,
                _options.NamingProgress,
                _options.MaxConcurrentNaming)
            .GetAwaiter().GetResult();
        if (corpus is not null && dictionary.Concepts.Count > 0)
        {
            // Pass 3: detection scores of the names outside their H clips, and selection by them.
            var named = dictionary.Concepts.Count;
            dictionary = ScoreDetection(input, dictionary, corpus).SelectConcepts();
            channel.Info($"RankConcepts: {dictionary.Concepts.Count} of {named} named concepts kept by detection score (minimum {_options.MinimumDetectionScore?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
                + $"{(_options.MergeByName ? $", {dictionary.Concepts.Count(c => c.Members.Count > 1)} of them merged from several latents of one name" : "")}).");
        }

        var failures = dictionary.Concepts.Count(c => c.NamingFailure is not null);
        channel.Info(
            $"RankConcepts: {ranking.ClipCount} clips, {latentCount} latents, {dictionary.DeadLatents.Count} dead, " +
            $"{dictionary.Concepts.Count} concepts kept, {failures} with naming failures.");
        if (dictionary.Concepts.Count == 0)
        {
            throw new NoConceptFoundException(
                (int)ranking.ClipCount,
                latentCount,
                scores.Count(s => s.Status == MonosemanticityStatus.Dead),
                scores.Count(s => s.Status is MonosemanticityStatus.TooFewTopClips or MonosemanticityStatus.TooFewBottomClips),
                scores.Count(s => s.Status == MonosemanticityStatus.Scored),
                _options.ClipsPerSet,
                _options.MinimumMonosemanticity);
        }

        return new ConceptTransformer(Host, dictionary, _options.MeanActivationColumnName, _options.CoverageColumnName,
            _options.ConceptScoresColumnName, _options.TopConceptsColumnName, _options.ApplyOptions());
    }

    private static int LatentCount(IDataView input, DataViewSchema.Column mean, DataViewSchema.Column coverage)
    {
        var size = ((VectorDataViewType)mean.Type).Size;
        var coverageSize = ((VectorDataViewType)coverage.Type).Size;
        if (size > 0 && coverageSize > 0 && size != coverageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Input columns '{mean.Name}' ({size} values) and '{coverage.Name}' ({coverageSize} values) must have one value per latent each.");
        }

        if (size > 0 || coverageSize > 0)
        {
            return Math.Max(size, coverageSize);
        }

        using var cursor = input.GetRowCursor([mean]);
        var getter = cursor.GetGetter<VBuffer<float>>(mean);
        VBuffer<float> value = default;
        if (!cursor.MoveNext())
        {
            throw new InvalidOperationException("RankConcepts: the training data has no rows; concepts need a corpus of clips.");
        }

        getter(ref value);
        return value.Length > 0
            ? value.Length
            : throw new ArgumentOutOfRangeException(nameof(input), $"Input column '{mean.Name}' holds an empty vector; expected one value per latent.");
    }

    private ConceptDetectionScorer ScoreDetection(IDataView input, ConceptDictionary dictionary, CaptionCorpus corpus)
    {
        var scorer = new ConceptDetectionScorer(dictionary, corpus, _options.DetectionOptions(), _options.Criterion);
        AddStatistics(scorer, input, _options.ClipIdColumnName, _options.MeanActivationColumnName, _options.CoverageColumnName);
        return scorer;
    }

    /// <summary>Gives <paramref name="scorer"/> every row's clip id, μ and c (one value per latent of its dictionary).</summary>
    internal static void AddStatistics(ConceptDetectionScorer scorer, IDataView input, string clipIdColumnName, string meanActivationColumnName, string coverageColumnName)
    {
        var schema = input.Schema;
        DataViewSchema.Column Column(string name) =>
            schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(input), name, $"The clip statistics have no column '{name}'.");
        var (idColumn, meanColumn, coverageColumn) = (Column(clipIdColumnName), Column(meanActivationColumnName), Column(coverageColumnName));
        using var cursor = input.GetRowCursor([idColumn, meanColumn, coverageColumn]);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(idColumn);
        var mean = cursor.GetGetter<VBuffer<float>>(meanColumn);
        var coverage = cursor.GetGetter<VBuffer<float>>(coverageColumn);
        ReadOnlyMemory<char> idValue = default;
        VBuffer<float> meanValue = default, coverageValue = default;
        var denseMean = new float[scorer.Dictionary.LatentCount];
        var denseCoverage = new float[scorer.Dictionary.LatentCount];
        while (cursor.MoveNext())
        {
            id(ref idValue);
            mean(ref meanValue);
            coverage(ref coverageValue);
            meanValue.CopyTo(denseMean);
            coverageValue.CopyTo(denseCoverage);
            scorer.Add(idValue.ToString(), denseMean, denseCoverage);
        }
    }

    private ClipEmbeddingCollector CollectEmbeddings(IDataView input, RankingResult ranking)
    {
        var collector = new ClipEmbeddingCollector(ranking);
        var schema = input.Schema;
        var idColumn = schema[_options.ClipIdColumnName];
        DataViewSchema.Column source;
        var frameWidth = 0;
        if (_options.EmbeddingColumnName is { } embeddingName)
        {
            source = schema[embeddingName];
        }
        else if (schema.GetColumnOrNull(_options.ActivationsColumnName) is { Type: VectorDataViewType { ItemType: var item, Dimensions: [_, > 0 and var width] } } activations
                 && item == NumberDataViewType.Single)
        {
            source = activations;
            frameWidth = width;
        }
        else
        {
            source = schema[_options.MeanActivationColumnName];
        }

        using var cursor = input.GetRowCursor([idColumn, source]);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(idColumn);
        var vector = cursor.GetGetter<VBuffer<float>>(source);
        ReadOnlyMemory<char> idValue = default;
        VBuffer<float> value = default;
        float[] dense = [];
        while (!collector.IsComplete && cursor.MoveNext())
        {
            id(ref idValue);
            var clipId = idValue.ToString();
            if (!collector.IsRequired(clipId))
            {
                continue;
            }

            vector(ref value);
            if (dense.Length != value.Length)
            {
                dense = new float[value.Length];
            }

            value.CopyTo(dense);
            if (frameWidth > 0)
            {
                collector.OfferFrames(clipId, dense, frameWidth);
            }
            else
            {
                collector.Offer(clipId, dense);
            }
        }

        return collector;
    }

    private CaptionCorpus? Captions(IChannel channel, List<(string ClipId, string Text)> columnCaptions, List<string>? clipIds)
    {
        var pairs = new List<(string ClipId, string Text)>(columnCaptions);
        CaptionTable? fromFile = null;
        if (_options.CaptionFilePath is { } path)
        {
            fromFile = CaptionTable.ReadCsv(path, clipIds);
            if (fromFile.UnknownClipIds.Count > 0)
            {
                channel.Warning($"RankConcepts: {fromFile.UnknownClipIds.Count} clip(s) in '{path}' are not in the data, e.g. '{fromFile.UnknownClipIds[0]}'.");
            }

            if (fromFile.ClipsWithoutText.Count > 0)
            {
                channel.Warning($"RankConcepts: {fromFile.ClipsWithoutText.Count} clip(s) of the data have no caption in '{path}', e.g. '{fromFile.ClipsWithoutText[0]}'.");
            }

            foreach (var clip in fromFile.ClipIds)
            {
                pairs.AddRange(fromFile.TextsOf(clip).Select(text => (clip, text)));
            }
        }

        if (pairs.Count == 0 && fromFile is null && _options.CaptionColumnName is null)
        {
            return null;
        }

        return CaptionCorpus.Create(CaptionTable.FromPairs(pairs), _options.CaptionKind);
    }

    /// <summary>Feeds one row's VBuffers to the ranker, sparse where the coverage is sparse.</summary>
    private sealed class StatisticsReader(int latentCount, string meanName, string coverageName)
    {
        private readonly float[] _denseMean = new float[latentCount];
        private int[] _indices = [];
        private float[] _means = [];
        private float[] _coverages = [];

        public void Add(ConceptRanker ranker, string clipId, in VBuffer<float> mean, in VBuffer<float> coverage)
        {
            if (mean.Length != latentCount || coverage.Length != latentCount)
            {
                throw new InvalidOperationException(
                    $"RankConcepts: clip '{clipId}' has {mean.Length} values in '{meanName}' and {coverage.Length} in '{coverageName}'; expected {latentCount} (one per latent) in each.");
            }

            if (coverage.IsDense)
            {
                var coverageValues = coverage.GetValues();
                if (mean.IsDense)
                {
                    ranker.AddClip(clipId, mean.GetValues(), coverageValues);
                    return;
                }

                mean.CopyTo(_denseMean);
                ranker.AddClip(clipId, _denseMean, coverageValues);
                return;
            }

            var indices = coverage.GetIndices();
            var values = coverage.GetValues();
            if (_indices.Length < indices.Length)
            {
                _indices = new int[indices.Length];
                _means = new float[indices.Length];
                _coverages = new float[indices.Length];
            }

            ReadOnlySpan<float> meanLookup;
            if (mean.IsDense)
            {
                meanLookup = mean.GetValues();
            }
            else
            {
                mean.CopyTo(_denseMean);
                meanLookup = _denseMean;
            }

            var n = 0;
            for (var k = 0; k < indices.Length; k++)
            {
                if (values[k] != 0f)
                {
                    _indices[n] = indices[k];
                    _coverages[n] = values[k];
                    _means[n] = meanLookup[indices[k]];
                    n++;
                }
            }

            ranker.AddClip(clipId, _indices.AsSpan(0, n), _means.AsSpan(0, n), _coverages.AsSpan(0, n));
        }
    }
}
