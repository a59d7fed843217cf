using ArdMl.Concepts;
using ArdMl.MlNet;
using ArdMl.Tests.Concepts;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.MlNet;

/// <summary>RankConcepts / ConceptTransformer: discovery in Fit, application, persistence, PredictionEngine, chaining.</summary>
public sealed class RankConceptsTests : IDisposable
{
    private const int Latents = FourClassCorpus.Latents;
    private static readonly string[] Classes = FourClassCorpus.Classes;
    private static readonly string[] ClassCaptions = FourClassCorpus.Captions;

    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-concepts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public sealed class Clip
    {
        public string Path { get; set; } = string.Empty;

        public string Label { get; set; } = string.Empty;

        public string Caption { get; set; } = string.Empty;

        [VectorType(Latents)]
        public float[] MeanActivation { get; set; } = [];

        [VectorType(Latents)]
        public float[] Coverage { get; set; } = [];

        [VectorType(8)]
        public float[] Embedding { get; set; } = [];
    }

    public sealed class Scored
    {
        public string Path { get; set; } = string.Empty;

        [VectorType]
        public float[] ConceptScores { get; set; } = [];

        public string TopConcepts { get; set; } = string.Empty;
    }

    public sealed class Statistics
    {
        [VectorType(Latents)]
        public float[] MeanActivation { get; set; } = [];

        [VectorType(Latents)]
        public float[] Coverage { get; set; } = [];
    }

    public sealed class Prediction
    {
        [VectorType]
        public float[] ConceptScores { get; set; } = [];

        public string TopConcepts { get; set; } = string.Empty;
    }

    /// <summary>
    /// 80 clips of 4 classes: latent k (k &lt; 4) fires strongly on class k and weakly on random others; latent 4 fires
    /// on every clip alike; latent 5 never fires. The embedding points along the class axis, with noise.
    /// </summary>
    private static List<Clip> Corpus(int clips = 80, int seed = 17) =>
        FourClassCorpus.Clips(clips, seed).Select((clip, i) => new Clip
        {
            Path = $"{Classes[clip.Class]}-{i:D3}.wav",
            Label = Classes[clip.Class],
            Caption = ClassCaptions[clip.Class],
            MeanActivation = clip.Mean,
            Coverage = clip.Coverage,
            Embedding = clip.Embedding,
        }).ToList();

    private static RankConceptsOptions Options() => new() { CaptionColumnName = "Caption", EmbeddingColumnName = "Embedding" };

    [Fact]
    public void Fit_discovers_and_names_concepts_and_transform_scores_clips()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Corpus());
        var transformer = ml.Transforms.Ard().RankConcepts(Options()).Fit(data);

        var dictionary = transformer.Dictionary;
        dictionary.DeadLatents.Should().Equal(5);
        dictionary.Concepts.Select(c => c.Latent).Should().BeEquivalentTo([0, 1, 2, 3]);
        dictionary.ConceptNames.Should().BeEquivalentTo(["dog barks", "rain falls", "telephone rings", "birds chirp"]);

        var transformed = transformer.Transform(data);
        var scoresColumn = transformed.Schema["ConceptScores"];
        scoresColumn.Type.Should().Be(new VectorDataViewType(NumberDataViewType.Single, 4));
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        scoresColumn.GetSlotNames(ref slotNames);
        slotNames.DenseValues().Select(n => n.ToString()).Should().Equal(dictionary.ConceptNames);

        var rows = ml.Data.CreateEnumerable<Scored>(transformed, reuseRowObject: false).ToList();
        rows.Should().HaveCount(80);
        foreach (var row in rows)
        {
            var cls = Array.IndexOf(Classes, row.Path.Split('-')[0]);
            row.TopConcepts.Split(", ")[0].Should().Be(dictionary.Concepts.Single(c => c.Latent == cls).Name, row.Path);
        }
    }

    [Fact]
    public void Save_and_load_in_a_new_context_gives_identical_outputs_and_a_prediction_engine_works()
    {
        var ml = new MLContext(seed: 1);
        var corpus = Corpus();
        var data = ml.Data.LoadFromEnumerable(corpus);
        var transformer = ml.Transforms.Ard().RankConcepts(Options()).Fit(data);
        var path = Path.Combine(_directory, "concepts.zip");
        ml.Model.Save(transformer, data.Schema, path);

        var other = new MLContext(seed: 2);
        var loaded = other.Model.Load(path, out _);
        loaded.Should().BeOfType<ConceptTransformer>().Which.Dictionary.ContentEquals(transformer.Dictionary).Should().BeTrue();
        var before = ml.Data.CreateEnumerable<Scored>(transformer.Transform(data), reuseRowObject: false).ToList();
        var after = other.Data.CreateEnumerable<Scored>(loaded.Transform(other.Data.LoadFromEnumerable(corpus)), reuseRowObject: false).ToList();
        after.Should().BeEquivalentTo(before, o => o.WithStrictOrdering());

        var engine = other.Model.CreatePredictionEngine<Statistics, Prediction>(loaded);
        var prediction = engine.Predict(new Statistics { MeanActivation = corpus[2].MeanActivation, Coverage = corpus[2].Coverage });
        prediction.ConceptScores.Should().Equal(before[2].ConceptScores);
        prediction.TopConcepts.Should().Be(before[2].TopConcepts).And.StartWith("telephone rings");
    }

    /// <summary>
    /// The corpus with its "dog" and "rain" classes both labelled "dog", each from one speaker ("dog" clips are speaker
    /// a's, "rain" clips speaker b's): latents 0 and 1 carry one label split by speaker.
    /// </summary>
    private static List<Clip> SplitCorpus() => [.. Corpus().Select((clip, i) =>
    {
        var speaker = clip.Label switch { "dog" => "a", "rain" => "b", _ => i % 8 < 4 ? "a" : "b" };
        var label = clip.Label == "rain" ? "dog" : clip.Label;
        return new Clip
        {
            Path = $"{speaker}-{label}-{i:D3}.wav",
            Label = label,
            MeanActivation = clip.MeanActivation,
            Coverage = clip.Coverage,
            Embedding = clip.Embedding,
        };
    })];

    [Fact]
    public void A_label_split_by_speaker_becomes_one_concept_of_two_latents_that_saves_and_loads()
    {
        var ml = new MLContext(seed: 1);
        var corpus = SplitCorpus();
        var data = ml.Data.LoadFromEnumerable(corpus);
        var options = new RankConceptsOptions
        {
            CaptionColumnName = "Label",
            CaptionKind = CaptionKind.Labels,
            EmbeddingColumnName = "Embedding",
            GroupPattern = "^([ab])-",
        };
        options.MergeByName.Should().BeTrue("one concept per name is the default");
        var transformer = ml.Transforms.Ard().RankConcepts(options).Fit(data);
        var dog = transformer.Dictionary.Concepts.Should().ContainSingle(c => c.Name == "dog").Subject;
        dog.Latents.Should().BeEquivalentTo([0, 1]);
        transformer.Dictionary.Concepts.Should().OnlyContain(c => c.Members.Count > 0, "every name's score counts in units of its H clips");

        options.MergeByName = false;
        ml.Transforms.Ard().RankConcepts(options).Fit(data).Dictionary.Concepts.Count(c => c.Name == "dog").Should().Be(2);

        var path = Path.Combine(_directory, "merged.zip");
        ml.Model.Save(transformer, data.Schema, path);
        var other = new MLContext(seed: 2);
        var loaded = other.Model.Load(path, out _);
        loaded.Should().BeOfType<ConceptTransformer>().Which.Dictionary.ContentEquals(transformer.Dictionary).Should().BeTrue();
        var before = ml.Data.CreateEnumerable<Scored>(transformer.Transform(data), reuseRowObject: false).ToList();
        var after = other.Data.CreateEnumerable<Scored>(loaded.Transform(other.Data.LoadFromEnumerable(corpus)), reuseRowObject: false).ToList();
        after.Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
        before.Where(r => r.Path.Contains("-dog-", StringComparison.Ordinal)).Should().OnlyContain(r => r.TopConcepts.StartsWith("dog", StringComparison.Ordinal), "both speakers' clips");
    }

    [Fact]
    public void A_classifier_trains_on_concept_scores()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Corpus());
        var pipeline = ml.Transforms.Ard().RankConcepts(Options())
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "ConceptScores"));
        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Corpus(40, seed: 99))), "LabelKey");
        metrics.MicroAccuracy.Should().BeGreaterThan(0.95);
    }

    [Fact]
    public void Without_captions_or_embeddings_concepts_are_named_by_latent_and_scored_on_mean_activations()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Corpus());
        var transformer = ml.Transforms.Ard().RankConcepts(new RankConceptsOptions { MinimumMonosemanticity = null }).Fit(data);
        transformer.Dictionary.Concepts.Should().NotBeEmpty()
            .And.OnlyContain(c => c.Name == $"latent {c.Latent}" && c.NamingSource == NamingSource.LatentIndex);
    }

    [Fact]
    public void Captions_file_and_llm_namer_are_used_and_failures_recorded()
    {
        var ml = new MLContext(seed: 1);
        var corpus = Corpus();
        var csv = Path.Combine(_directory, "captions.csv");
        File.WriteAllLines(csv, ["clip,text", .. corpus.Select(c => $"{c.Path},\"{c.Caption}, clearly\""), "ghost.wav,not in the data"]);
        var client = new ScriptedChatClient(
            ScriptedChatClient.Step.Says("Barking dog"),
            ScriptedChatClient.Step.Says("Rain"),
            ScriptedChatClient.Step.Says("I'm sorry, I can't"),
            ScriptedChatClient.Step.Says("..."),
            ScriptedChatClient.Step.Says("???"),
            ScriptedChatClient.Step.Says("Birdsong"));
        var options = new RankConceptsOptions
        {
            CaptionFilePath = csv,
            EmbeddingColumnName = "Embedding",
            Namer = new ChatClientConceptNamer(client),
        };
        var dictionary = ml.Transforms.Ard().RankConcepts(options).Fit(ml.Data.LoadFromEnumerable(corpus)).Dictionary;
        dictionary.Concepts.Should().HaveCount(4);
        dictionary.Concepts.Count(c => c.NamingSource == NamingSource.LanguageModel).Should().Be(3);
        var failed = dictionary.Concepts.Single(c => c.NamingFailure is not null);
        failed.NamingSource.Should().Be(NamingSource.CaptionPhrase);
        failed.CaptionsUsed.Should().OnlyContain(c => c.EndsWith(", clearly", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_columns_and_wrong_widths_are_named()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Corpus());
        var act = () => ml.Transforms.Ard().RankConcepts(new RankConceptsOptions { ClipIdColumnName = "Id" }).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Id'*text*");
        act = () => ml.Transforms.Ard().RankConcepts(new RankConceptsOptions { EmbeddingColumnName = "Caption" }).Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Caption'*vector of Single*");

        var transformer = ml.Transforms.Ard().RankConcepts(Options()).Fit(data);
        var narrow = ml.Data.LoadFromEnumerable(new[] { new { MeanActivation = new float[3], Coverage = new float[3] } }.Select(r => new Narrow { MeanActivation = r.MeanActivation, Coverage = r.Coverage }));
        var apply = () => transformer.Transform(narrow);
        apply.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'MeanActivation'*6 Single values*");
    }

    [Fact]
    public void Duplicate_clip_ids_in_the_data_are_a_named_error()
    {
        var ml = new MLContext(seed: 1);
        var corpus = Corpus();
        corpus[7].Path = corpus[3].Path;
        var act = () => ml.Transforms.Ard().RankConcepts(Options()).Fit(ml.Data.LoadFromEnumerable(corpus));
        act.Should().Throw<DuplicateClipIdException>().Which.ClipId.Should().Be(corpus[3].Path);
    }

    public sealed class SparseClip
    {
        public string Path { get; set; } = string.Empty;

        public string Caption { get; set; } = string.Empty;

        [VectorType(Latents)]
        public VBuffer<float> MeanActivation { get; set; }

        [VectorType(Latents)]
        public VBuffer<float> Coverage { get; set; }

        [VectorType(8)]
        public float[] Embedding { get; set; } = [];
    }

    public sealed class FramesClip
    {
        public string Path { get; set; } = string.Empty;

        [VectorType(Latents)]
        public float[] MeanActivation { get; set; } = [];

        [VectorType(Latents)]
        public float[] Coverage { get; set; } = [];

        [VectorType(0, 8)]
        public float[] Activations { get; set; } = [];
    }

    private static VBuffer<float> Sparse(float[] dense)
    {
        var indices = Enumerable.Range(0, dense.Length).Where(i => dense[i] != 0).ToArray();
        return new VBuffer<float>(dense.Length, indices.Length, [.. indices.Select(i => dense[i])], indices);
    }

    [Fact]
    public void Sparse_statistics_give_the_same_concepts_as_dense_ones()
    {
        var ml = new MLContext(seed: 1);
        var corpus = Corpus();
        var dense = ml.Transforms.Ard().RankConcepts(Options()).Fit(ml.Data.LoadFromEnumerable(corpus)).Dictionary;
        var sparseRows = corpus.Select(c => new SparseClip
        {
            Path = c.Path,
            Caption = c.Caption,
            MeanActivation = Sparse(c.MeanActivation),
            Coverage = Sparse(c.Coverage),
            Embedding = c.Embedding,
        });
        var sparse = ml.Transforms.Ard().RankConcepts(Options()).Fit(ml.Data.LoadFromEnumerable(sparseRows)).Dictionary;
        sparse.ContentEquals(dense).Should().BeTrue();
    }

    [Fact]
    public void Default_embedding_is_the_mean_pooled_activations_when_present()
    {
        var ml = new MLContext(seed: 1);
        var corpus = Corpus();
        // Two frames per clip whose mean is the clip's embedding: mean-pooling must recover it exactly.
        var framesRows = corpus.Select(c => new FramesClip
        {
            Path = c.Path,
            MeanActivation = c.MeanActivation,
            Coverage = c.Coverage,
            Activations = [.. c.Embedding.Select(v => v * 2), .. new float[8]],
        }).ToList();
        var fromFrames = ml.Transforms.Ard().RankConcepts(new RankConceptsOptions()).Fit(ml.Data.LoadFromEnumerable(framesRows)).Dictionary;
        var fromEmbedding = ml.Transforms.Ard().RankConcepts(new RankConceptsOptions { EmbeddingColumnName = "Embedding" })
            .Fit(ml.Data.LoadFromEnumerable(corpus)).Dictionary;
        fromFrames.Concepts.Select(c => (c.Latent, c.Monosemanticity))
            .Should().BeEquivalentTo(fromEmbedding.Concepts.Select(c => (c.Latent, c.Monosemanticity)), o => o.WithStrictOrdering()
                .Using<double>(x => x.Subject.Should().BeApproximately(x.Expectation, 1e-5)).WhenTypeIs<double>());
    }

    public sealed class Narrow
    {
        [VectorType(3)]
        public float[] MeanActivation { get; set; } = [];

        [VectorType(3)]
        public float[] Coverage { get; set; } = [];
    }
}
