using ArdMl.Concepts;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Applies a fitted <see cref="ConceptDictionary"/>: maps each row's MeanActivation and Coverage (one value per latent)
/// to ConceptScores (r = μ·c of every concept's latent, in dictionary order; SlotNames = concept names) and
/// TopConcepts (the names of the best scoring concepts, text). Lazy, row by row; works in a PredictionEngine; saved
/// and loaded with <c>mlContext.Model.Save/Load</c> (the dictionary travels as its versioned JSON).
/// </summary>
public sealed class ConceptTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<ConceptTransformer>
{
    private const string DictionaryBlob = "ConceptDictionary.json";

    // Saved format, written by SaveState and read by Load:
    //   0x00010001  initial: string meanActivationColumn, string coverageColumn, string conceptScoresColumn,
    //               string topConceptsColumn, int topConceptCount, float minimumScore, string separator,
    //               blob "ConceptDictionary.json" (ConceptDictionaryJson, its own version inside).
    private static readonly ModelFormat SavedFormat = new("ARDCONCP", 0x00010001, 0x00010001, 0x00010001, "Concept transformer");

    private readonly ConceptApplyOptions _apply;

    internal ConceptTransformer(
        IHostEnvironment environment,
        ConceptDictionary dictionary,
        string meanActivationColumnName,
        string coverageColumnName,
        string conceptScoresColumnName,
        string topConceptsColumnName,
        ConceptApplyOptions apply)
        : base(environment, "ConceptTransformer")
    {
        Dictionary = dictionary;
        MeanActivationColumnName = meanActivationColumnName;
        CoverageColumnName = coverageColumnName;
        ConceptScoresColumnName = conceptScoresColumnName;
        TopConceptsColumnName = topConceptsColumnName;
        _apply = apply;
    }

    /// <summary>The fitted concept dictionary.</summary>
    public ConceptDictionary Dictionary { get; }

    /// <summary>The mean activation input column.</summary>
    public string MeanActivationColumnName { get; }

    /// <summary>The coverage input column.</summary>
    public string CoverageColumnName { get; }

    /// <summary>The concept scores output column.</summary>
    public string ConceptScoresColumnName { get; }

    /// <summary>The top concepts output column.</summary>
    public string TopConceptsColumnName { get; }

    /// <summary>How many names TopConcepts lists at most.</summary>
    public int TopConceptCount => _apply.TopConceptCount;

    /// <summary>TopConcepts lists only concepts scoring strictly above this.</summary>
    public float MinimumScore => _apply.MinimumScore;

    static ModelFormat IArdLoadableTransformer<ConceptTransformer>.Format => SavedFormat;

    private protected override ModelFormat Format => SavedFormat;

    static ConceptTransformer IArdLoadableTransformer<ConceptTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        var mean = reader.ReadString();
        var coverage = reader.ReadString();
        var scores = reader.ReadString();
        var top = reader.ReadString();
        var count = reader.ReadInt32();
        var minimum = reader.ReadSingle();
        var separator = reader.ReadString();
        if (count < 0)
        {
            throw reader.Corrupt($"the top-concept count is {count}");
        }

        ConceptDictionary? dictionary = null;
        try
        {
            reader.ReadBlob(DictionaryBlob, stream => dictionary = ConceptDictionaryJson.Read(stream, DictionaryBlob));
        }
        catch (FormatException exception)
        {
            throw reader.Corrupt(exception.Message);
        }

        if (dictionary is null || dictionary.Concepts.Count == 0)
        {
            throw reader.Corrupt("the concept dictionary holds no concepts");
        }

        return new ConceptTransformer(environment, dictionary, mean, coverage, scores, top,
            new ConceptApplyOptions { TopConceptCount = count, MinimumScore = minimum, Separator = separator });
    }

    internal static IReadOnlyList<ArdOutputColumn> OutputColumnsFor(string scoresColumn, string topColumn, IReadOnlyList<string> names) =>
    [
        new ArdOutputColumn(scoresColumn, new VectorDataViewType(NumberDataViewType.Single, names.Count), names),
        new ArdOutputColumn(topColumn, TextDataViewType.Instance),
    ];

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(MeanActivationColumnName);
        writer.Write(CoverageColumnName);
        writer.Write(ConceptScoresColumnName);
        writer.Write(TopConceptsColumnName);
        writer.Write(_apply.TopConceptCount);
        writer.Write(_apply.MinimumScore);
        writer.Write(_apply.Separator);
        writer.WriteBlob(DictionaryBlob, stream => ConceptDictionaryJson.Write(Dictionary, stream));
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : ArdRowMapper
    {
        private readonly ConceptTransformer _parent;

        public Mapper(ConceptTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, "ConceptTransformer")
        {
            _parent = parent;
            var latents = parent.Dictionary.LatentCount;
            var expected = $"a vector of {latents} Single values (one per latent)";
            bool Accepts(DataViewType type) =>
                type is VectorDataViewType { ItemType: var item, Size: var size } && item == NumberDataViewType.Single && (size == 0 || size == latents);
            InputColumns =
            [
                ArdSchemaShapes.RequireColumn(inputSchema, parent.MeanActivationColumnName, expected, Accepts),
                ArdSchemaShapes.RequireColumn(inputSchema, parent.CoverageColumnName, expected, Accepts),
            ];
            OutputColumns = OutputColumnsFor(parent.ConceptScoresColumnName, parent.TopConceptsColumnName, parent.Dictionary.ConceptNames);
        }

        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output)
        {
            var dictionary = _parent.Dictionary;
            var meanGetter = input.GetGetter<VBuffer<float>>(InputColumns[0]);
            var coverageGetter = input.GetGetter<VBuffer<float>>(InputColumns[1]);
            VBuffer<float> mean = default, coverage = default;
            var denseMean = new float[dictionary.LatentCount];
            var denseCoverage = new float[dictionary.LatentCount];
            var scores = new float[dictionary.Concepts.Count];
            return row =>
            {
                meanGetter(ref mean);
                coverageGetter(ref coverage);
                if (mean.Length != dictionary.LatentCount || coverage.Length != dictionary.LatentCount)
                {
                    throw new InvalidOperationException(
                        $"ConceptTransformer: a row has {mean.Length} values in '{_parent.MeanActivationColumnName}' and {coverage.Length} in " +
                        $"'{_parent.CoverageColumnName}'; the concept dictionary was fitted on {dictionary.LatentCount} latents.");
                }

                mean.CopyTo(denseMean);
                coverage.CopyTo(denseCoverage);
                dictionary.Score(denseMean, denseCoverage, scores);
                if (row.IsActive(0))
                {
                    row.SetVector<float>(0, scores);
                }

                if (row.IsActive(1))
                {
                    row.SetText(1, dictionary.TopConcepts(scores, _parent._apply));
                }

                return true;
            };
        }
    }
}
