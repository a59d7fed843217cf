using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

public sealed class ConceptDictionaryTests
{
    /// <summary>
    /// A whole discovery on a synthetic corpus: 6 latents over 40 clips of 4 sound classes; latents 0..3 each fire
    /// strongly on one class (and weakly on clips of random other classes), latent 4 fires on everything alike, latent 5 is dead.
    /// </summary>
    internal static async Task<(ConceptDictionary Dictionary, RankingResult Ranking)> DiscoverAsync(IConceptNamer? namer = null, int maxConcurrentNaming = 1)
    {
        var classes = FourClassCorpus.Classes;
        var captions = FourClassCorpus.Captions;
        var ranker = new ConceptRanker(FourClassCorpus.Latents);
        var rows = new List<(string Id, float[] Mean, float[] Coverage, float[] Embedding)>();
        var i = 0;
        foreach (var (cls, mean, coverage, embedding) in FourClassCorpus.Clips(clips: 40, seed: 17))
        {
            var id = $"{classes[cls]}-{i++:D2}";
            rows.Add((id, mean, coverage, embedding));
            ranker.AddClip(id, mean, coverage);
        }

        var ranking = ranker.Complete();
        var collector = new ClipEmbeddingCollector(ranking);
        foreach (var row in rows)
        {
            collector.Offer(row.Id, row.Embedding);
        }

        var scores = MonosemanticityScorer.Score(ranking, collector);
        var table = CaptionTable.FromPairs(rows.Select(r => (r.Id, captions[Array.IndexOf(classes, r.Id.Split('-')[0])])), rows.Select(r => r.Id));
        var dictionary = await ConceptDictionaryBuilder.BuildAsync(
            ranking, scores, corpus: CaptionCorpus.Create(table, CaptionKind.Captions), namer: namer, maxConcurrentNaming: maxConcurrentNaming);
        return (dictionary, ranking);
    }

    [Fact]
    public async Task Discovery_keeps_monosemantic_latents_names_them_and_reports_dead_ones()
    {
        var (dictionary, _) = await DiscoverAsync();
        dictionary.DeadLatents.Should().Equal(5);
        dictionary.Concepts.Select(c => c.Latent).Should().BeEquivalentTo([0, 1, 2, 3]);
        dictionary.Concepts.Select(c => c.Monosemanticity).Should().BeInDescendingOrder();
        dictionary.Concepts.Single(c => c.Latent == 0).Name.Should().Be("dog barks");
        dictionary.Concepts.Single(c => c.Latent == 2).Name.Should().Be("telephone rings");
        var dog = dictionary.Concepts.Single(c => c.Latent == 0);
        dog.Top.Should().HaveCount(4).And.OnlyContain(c => c.ClipId.StartsWith("dog-", StringComparison.Ordinal));
        dog.Bottom.Should().HaveCount(4).And.OnlyContain(c => !c.ClipId.StartsWith("dog-", StringComparison.Ordinal));
        dog.ActiveClipShare.Should().BeGreaterThan(0.25);
        dog.CaptionsUsed.Should().HaveCount(4);
    }

    [Fact]
    public async Task Json_round_trip_is_identical_and_applies_the_same()
    {
        var (dictionary, _) = await DiscoverAsync();
        var json = ConceptDictionaryJson.Serialize(dictionary);
        json.Should().Contain("\"format\": \"ardml.concepts\"").And.Contain("\"version\": 1").And.Contain("\"namingSource\": \"CaptionPhrase\"");
        var loaded = ConceptDictionaryJson.Deserialize(json);
        loaded.ContentEquals(dictionary).Should().BeTrue();
        ConceptDictionaryJson.Serialize(loaded).Should().Be(json);
        loaded.Concepts.Should().BeEquivalentTo(dictionary.Concepts, o => o.WithStrictOrdering());

        var mean = new float[6];
        var coverage = new float[6];
        mean[2] = 3f;
        coverage[2] = 1f;
        mean[0] = 1f;
        coverage[0] = 0.5f;
        var scores = loaded.Score(mean, coverage);
        scores.Should().Equal(dictionary.Score(mean, coverage));
        scores.Should().HaveCount(dictionary.Concepts.Count);
        scores[loaded.Concepts.ToList().FindIndex(c => c.Latent == 2)].Should().Be(3f);
        loaded.TopConcepts(scores).Should().Be("telephone rings, dog barks");
        loaded.TopConcepts(scores, new ConceptApplyOptions { TopConceptCount = 1 }).Should().Be("telephone rings");
        loaded.TopConcepts(scores, new ConceptApplyOptions { MinimumScore = 1f }).Should().Be("telephone rings");
        loaded.TopConcepts(new float[scores.Length]).Should().BeEmpty();
    }

    [Fact]
    public async Task Concurrent_naming_gives_the_same_dictionary()
    {
        var (sequential, _) = await DiscoverAsync();
        var (concurrent, _) = await DiscoverAsync(maxConcurrentNaming: 4);
        concurrent.ContentEquals(sequential).Should().BeTrue();
    }

    [Fact]
    public void Import_rejects_other_formats_and_newer_versions()
    {
        var act = () => ConceptDictionaryJson.Deserialize("{\"format\":\"something\",\"version\":1}", "x.json");
        act.Should().Throw<FormatException>().WithMessage("x.json*format*");
        act = () => ConceptDictionaryJson.Deserialize("{\"format\":\"ardml.concepts\",\"version\":2}", "x.json");
        act.Should().Throw<FormatException>().WithMessage("x.json: version 2 is not supported*");
        act = () => ConceptDictionaryJson.Deserialize("not json", "x.json");
        act.Should().Throw<FormatException>().WithMessage("x.json: not valid*");
        act = () => ConceptDictionaryJson.Deserialize(
            "{\"format\":\"ardml.concepts\",\"version\":1,\"latentCount\":2,\"ranking\":{\"clipsPerSet\":4},\"concepts\":[{\"latent\":5,\"name\":\"x\"}]}", "x.json");
        act.Should().Throw<FormatException>().WithMessage("x.json: *latent 5*");
    }

    [Fact]
    public async Task Llm_naming_failures_are_recorded_in_the_dictionary()
    {
        var steps = Enumerable.Range(0, 12).Select(_ => ScriptedChatClient.Step.Says("")).ToArray();
        var (dictionary, _) = await DiscoverAsync(new ChatClientConceptNamer(new ScriptedChatClient(steps)));
        dictionary.Concepts.Should().OnlyContain(c => c.NamingFailure != null && c.NamingSource == NamingSource.CaptionPhrase);
        var loaded = ConceptDictionaryJson.Deserialize(ConceptDictionaryJson.Serialize(dictionary));
        loaded.Concepts[0].NamingFailure.Should().Contain("empty");
    }
}
