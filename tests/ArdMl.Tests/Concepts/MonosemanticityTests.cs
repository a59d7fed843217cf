using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

public sealed class MonosemanticityTests
{
    private static float[] Unit(int dimension, params (int Index, float Value)[] entries)
    {
        var vector = new float[dimension];
        foreach (var (index, value) in entries)
        {
            vector[index] = value;
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }

    [Fact]
    public void Known_answer_on_constructed_embeddings()
    {
        // H: three copies of e1 and one vector at 45° → pairwise cosines {1, 1, 1, c, c, c} with c = √½.
        var c = Math.Sqrt(0.5);
        var top = new[] { Unit(4, (0, 1)), Unit(4, (0, 1)), Unit(4, (0, 1)), Unit(4, (0, 1), (1, 1)) };
        // L: four orthogonal vectors → pairwise cosines all 0.
        var bottom = new[] { Unit(4, (0, 1)), Unit(4, (1, 1)), Unit(4, (2, 1)), Unit(4, (3, 1)) };
        var score = MonosemanticityScorer.ScoreSets(7, top, bottom);

        var expectedTop = (3 + (3 * c)) / 6;
        var topVariance = ((3 * Math.Pow(1 - expectedTop, 2)) + (3 * Math.Pow(c - expectedTop, 2))) / 5;
        var pooled = Math.Sqrt(topVariance / 2);
        score.Status.Should().Be(MonosemanticityStatus.Scored);
        score.TopCohesion.Should().BeApproximately(expectedTop, 1e-6);
        score.BottomCohesion.Should().BeApproximately(0, 1e-7);
        score.PooledStandardDeviation.Should().BeApproximately(pooled, 1e-6);
        score.Score.Should().BeApproximately(expectedTop / pooled, 1e-4);
        score.Score.Should().BeApproximately(7.5245, 1e-3);
    }

    [Fact]
    public void Zero_spread_uses_the_floor_and_too_small_sets_are_undefined()
    {
        var same = new[] { Unit(3, (0, 1)), Unit(3, (0, 1)), Unit(3, (0, 1)) };
        var orthogonal = new[] { Unit(3, (0, 1)), Unit(3, (1, 1)), Unit(3, (2, 1)) };
        MonosemanticityScorer.ScoreSets(0, same, orthogonal, 0.01).Score.Should().BeApproximately(100, 1e-3);
        MonosemanticityScorer.ScoreSets(0, same, same, 0.01).Score.Should().Be(0);
        MonosemanticityScorer.ScoreSets(0, orthogonal, same, 0.01).Score.Should().BeApproximately(-100, 1e-3);
        MonosemanticityScorer.ScoreSets(0, same[..1], orthogonal).Status.Should().Be(MonosemanticityStatus.TooFewTopClips);
        MonosemanticityScorer.ScoreSets(0, same, orthogonal[..1]).Status.Should().Be(MonosemanticityStatus.TooFewBottomClips);
        double.IsNaN(MonosemanticityScorer.ScoreSets(0, same, orthogonal[..1]).Score).Should().BeTrue();
    }

    [Fact]
    public void Two_pass_flow_collects_only_the_needed_embeddings_and_scores_latents()
    {
        // 3 latents, 20 clips. Latent 0 fires on clips 0..9 with r growing with the index; its top clips (6..9) share
        // an embedding direction, its bottom clips (0..3) point in different directions. Latent 1 fires on clips 0..4
        // only (L < 2 after H). Latent 2 never fires.
        const int Clips = 20;
        var ranker = new ConceptRanker(3);
        for (var i = 0; i < Clips; i++)
        {
            var mean = new float[3];
            var coverage = new float[3];
            if (i < 10)
            {
                mean[0] = i + 1;
                coverage[0] = 0.5f;
            }

            if (i < 5)
            {
                mean[1] = 1;
                coverage[1] = 1;
            }

            ranker.AddClip($"clip{i:D2}", mean, coverage);
        }

        var ranking = ranker.Complete();
        ranking.Latents[0].Top.Select(c => c.ClipId).Should().Equal("clip09", "clip08", "clip07", "clip06");
        ranking.Latents[0].Bottom.Select(c => c.ClipId).Should().Equal("clip00", "clip01", "clip02", "clip03");

        var collector = new ClipEmbeddingCollector(ranking);
        collector.RequiredCount.Should().Be(9);
        var random = new Random(1);
        for (var i = 0; i < Clips; i++)
        {
            var embedding = i >= 6 && i <= 9
                ? new[] { 1f, 0.1f * (float)random.NextDouble(), 0f, 0f }
                : Unit(4, (i % 4, 1), ((i + 1) % 4, 0.2f * i));
            var needed = collector.IsRequired($"clip{i:D2}");
            needed.Should().Be(ranking.ClipIdsInSets().Contains($"clip{i:D2}"));
            collector.Offer($"clip{i:D2}", embedding).Should().Be(needed);
        }

        collector.IsComplete.Should().BeTrue();
        var scores = MonosemanticityScorer.Score(ranking, collector);
        scores[0].Status.Should().Be(MonosemanticityStatus.Scored);
        scores[0].Score.Should().BeGreaterThan(3);
        scores[1].Status.Should().Be(MonosemanticityStatus.TooFewBottomClips);
        scores[2].Status.Should().Be(MonosemanticityStatus.Dead);

        new ConceptSelectionOptions().Select(scores).Select(s => s.Latent).Should().Equal(0);
        new ConceptSelectionOptions { MinimumMonosemanticity = 1e6 }.Select(scores).Should().BeEmpty();
    }

    [Fact]
    public void Missing_embeddings_and_default_mean_pooled_embeddings()
    {
        var ranker = new ConceptRanker(1, new ConceptRankerOptions { ClipsPerSet = 2 });
        for (var i = 0; i < 4; i++)
        {
            ranker.AddClip($"c{i}", [i + 1f], [1f]);
        }

        var ranking = ranker.Complete();
        var collector = new ClipEmbeddingCollector(ranking);
        collector.OfferFrames("c3", [1f, 0f, 3f, 0f], 2).Should().BeTrue();
        collector.NormalisedEmbedding("c3").ToArray().Should().Equal(1f, 0f);
        collector.Invoking(c => c.Offer("c3", [1f, 0f])).Should().Throw<DuplicateClipIdException>();
        collector.Invoking(c => c.Offer("c2", [1f, 0f, 0f])).Should().Throw<ArgumentException>().WithMessage("*3 values*2*");
        collector.MissingClipIds().Should().Equal("c0", "c1", "c2");
        MonosemanticityScorer.Score(ranking, collector)[0].Status.Should().Be(MonosemanticityStatus.MissingEmbeddings);
    }

    [Fact]
    public void Selection_by_fixed_count_orders_by_score_then_latent()
    {
        var scores = new[]
        {
            new MonosemanticityScore(0, MonosemanticityStatus.Scored, 2, 0, 0, 0),
            new MonosemanticityScore(1, MonosemanticityStatus.Scored, 5, 0, 0, 0),
            new MonosemanticityScore(2, MonosemanticityStatus.Dead, double.NaN, 0, 0, 0),
            new MonosemanticityScore(3, MonosemanticityStatus.Scored, 5, 0, 0, 0),
            new MonosemanticityScore(4, MonosemanticityStatus.Scored, -1, 0, 0, 0),
        };
        new ConceptSelectionOptions { MinimumMonosemanticity = null, ConceptCount = 3 }.Select(scores)
            .Select(s => s.Latent).Should().Equal(1, 3, 0);
        new ConceptSelectionOptions().Select(scores).Select(s => s.Latent).Should().Equal(1, 3, 0);
        new ConceptSelectionOptions { MinimumMonosemanticity = null }.Select(scores).Select(s => s.Latent).Should().Equal(1, 3, 0, 4);
    }
}
