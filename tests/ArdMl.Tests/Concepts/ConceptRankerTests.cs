using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

public sealed class ConceptRankerTests
{
    /// <summary>Random sparse statistics with many ties (values on a coarse grid) and some all-zero latents.</summary>
    private static List<(string Id, float[] Mean, float[] Coverage)> RandomCorpus(int seed, int clips, int latents, int deadLatents)
    {
        var random = new Random(seed);
        var corpus = new List<(string, float[], float[])>();
        for (var i = 0; i < clips; i++)
        {
            var mean = new float[latents];
            var coverage = new float[latents];
            for (var j = deadLatents; j < latents; j++)
            {
                if (random.NextDouble() < 0.35)
                {
                    coverage[j] = random.Next(1, 5) / 4f;
                    mean[j] = random.Next(0, 4) / 2f;
                }
            }

            // Ids deliberately not in arrival order.
            corpus.Add(($"clip-{(i * 7919) % 1000:D3}-{i}", mean, coverage));
        }

        return corpus;
    }

    public static TheoryData<RankingCriterion, CandidateClips, int, int> Cases() => new()
    {
        { RankingCriterion.MeanTimesCoverage, CandidateClips.ActiveClipsOnly, 4, 60 },
        { RankingCriterion.MeanTimesCoverage, CandidateClips.AllClips, 4, 60 },
        { RankingCriterion.MeanActivation, CandidateClips.ActiveClipsOnly, 3, 60 },
        { RankingCriterion.Coverage, CandidateClips.ActiveClipsOnly, 5, 60 },
        { RankingCriterion.Coverage, CandidateClips.AllClips, 2, 60 },
        { RankingCriterion.Random, CandidateClips.ActiveClipsOnly, 4, 60 },
        { RankingCriterion.MeanTimesCoverage, CandidateClips.ActiveClipsOnly, 50, 9 },
        { RankingCriterion.MeanTimesCoverage, CandidateClips.AllClips, 20, 7 },
        { RankingCriterion.MeanTimesCoverage, CandidateClips.ActiveClipsOnly, 1, 30 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dense_and_sparse_inputs_match_the_brute_force_reference(RankingCriterion criterion, CandidateClips candidates, int p, int clips)
    {
        const int Latents = 37;
        var options = new ConceptRankerOptions { Criterion = criterion, Candidates = candidates, ClipsPerSet = p, RandomSeed = 11 };
        var corpus = RandomCorpus(seed: p * 31 + clips, clips, Latents, deadLatents: 3);
        var reference = new RankingReference(options);
        var dense = new ConceptRanker(Latents, options);
        var sparse = new ConceptRanker(Latents, options);
        foreach (var (id, mean, coverage) in corpus)
        {
            reference.Add(id, mean, coverage);
            dense.AddClip(id, mean, coverage);
            var indices = Enumerable.Range(0, Latents).Where(j => coverage[j] != 0).Reverse().ToArray();
            sparse.AddClip(id, indices, indices.Select(j => mean[j]).ToArray(), indices.Select(j => coverage[j]).ToArray());
        }

        foreach (var result in new[] { dense.Complete(), sparse.Complete() })
        {
            result.ClipCount.Should().Be(clips);
            for (var j = 0; j < Latents; j++)
            {
                var (top, bottom) = reference.Sets(j);
                var latent = result.Latents[j];
                latent.Top.Should().Equal(top, $"H of latent {j}");
                latent.Bottom.Should().Equal(bottom, $"L of latent {j}");
                var stats = reference.Stats(j);
                latent.ActiveClipCount.Should().Be(stats.Active);
                latent.ActiveClipShare.Should().BeApproximately(stats.Share, 1e-12);
                latent.MeanCoverage.Should().BeApproximately(stats.MeanCoverage, 1e-9);
                latent.MeanRepresentativeness.Should().BeApproximately(stats.MeanR, 1e-9);
                latent.MaxRepresentativeness.Should().Be(stats.MaxR);
                latent.PositiveRepresentativenessCount.Should().Be(stats.Positive);
                latent.IsDead.Should().Be(stats.Active == 0);
                (j >= 3 || latent.IsDead).Should().BeTrue("the first three latents never fire");
                if (j < 3 && candidates == CandidateClips.ActiveClipsOnly)
                {
                    latent.Top.Should().BeEmpty();
                    latent.Bottom.Should().BeEmpty();
                }
            }
        }
    }

    [Fact]
    public void Result_does_not_depend_on_arrival_order()
    {
        const int Latents = 16;
        var corpus = RandomCorpus(5, 80, Latents, 0);
        var forward = new ConceptRanker(Latents, new ConceptRankerOptions { Criterion = RankingCriterion.Coverage });
        var backward = new ConceptRanker(Latents, new ConceptRankerOptions { Criterion = RankingCriterion.Coverage });
        foreach (var (id, mean, coverage) in corpus)
        {
            forward.AddClip(id, mean, coverage);
        }

        foreach (var (id, mean, coverage) in Enumerable.Reverse(corpus))
        {
            backward.AddClip(id, mean, coverage);
        }

        var a = forward.Complete();
        var b = backward.Complete();
        for (var j = 0; j < Latents; j++)
        {
            a.Latents[j].Top.Should().Equal(b.Latents[j].Top);
            a.Latents[j].Bottom.Should().Equal(b.Latents[j].Bottom);
        }
    }

    [Fact]
    public void Ties_follow_one_ranking_by_score_then_ordinal_clip_id()
    {
        var ranker = new ConceptRanker(1, new ConceptRankerOptions { ClipsPerSet = 2 });
        foreach (var id in new[] { "d", "b", "a", "e", "c", "B" })
        {
            ranker.AddClip(id, [1f], [0.5f]);
        }

        var latent = ranker.Complete().Latents[0];
        latent.Top.Select(c => c.ClipId).Should().Equal("B", "a");
        latent.Bottom.Select(c => c.ClipId).Should().Equal("e", "d");
    }

    [Fact]
    public void Random_baseline_is_seeded_and_samples_only_active_clips()
    {
        const int Latents = 8;
        var corpus = RandomCorpus(9, 200, Latents, 1);
        RankingResult Run(ulong seed)
        {
            var ranker = new ConceptRanker(Latents, new ConceptRankerOptions { Criterion = RankingCriterion.Random, RandomSeed = seed });
            foreach (var (id, mean, coverage) in corpus)
            {
                ranker.AddClip(id, mean, coverage);
            }

            return ranker.Complete();
        }

        var first = Run(1);
        var again = Run(1);
        var other = Run(2);
        var active = corpus.ToDictionary(c => c.Id);
        for (var j = 1; j < Latents; j++)
        {
            first.Latents[j].Top.Should().Equal(again.Latents[j].Top);
            first.Latents[j].Top.Should().OnlyContain(c => active[c.ClipId].Coverage[j] > 0);
            first.Latents[j].Top.Should().OnlyContain(c => c.Score > 0 && c.Score <= 1);
        }

        Enumerable.Range(1, Latents - 1).Count(j => !first.Latents[j].Top.SequenceEqual(other.Latents[j].Top))
            .Should().BeGreaterThan(Latents / 2, "another seed draws other clips");
    }

    [Fact]
    public void Raw_neuron_baseline_ranks_statistics_computed_from_frames()
    {
        // Two units, threshold 0: unit 0 fires strongly in clip "x", weakly in "y"; unit 1 never fires (negative).
        var ranker = new ConceptRanker(2, new ConceptRankerOptions { ClipsPerSet = 1 });
        ranker.AddClipFrames("x", [2f, -1f, 4f, -3f, 0f, -1f]);
        ranker.AddClipFrames("y", [0.5f, -1f, 0f, -1f]);
        var result = ranker.Complete();
        result.Latents[0].Top.Should().Equal(new RankedClip("x", 2f * (2f / 3f), 2f * (2f / 3f)));
        result.Latents[0].Bottom.Should().Equal(new RankedClip("y", 0.25f * 0.5f, 0.25f * 0.5f));
        result.Latents[1].IsDead.Should().BeTrue();
    }

    [Fact]
    public void Rejects_duplicate_ids_and_malformed_statistics()
    {
        var ranker = new ConceptRanker(3);
        ranker.AddClip("a", [1f, 0f, 0f], [1f, 0f, 0f]);
        ranker.Invoking(r => r.AddClip("a", [1f, 0f, 0f], [1f, 0f, 0f])).Should().Throw<DuplicateClipIdException>()
            .Which.ClipId.Should().Be("a");
        ranker.Invoking(r => r.AddClip("b", [1f, 0f], [1f, 0f])).Should().Throw<ArgumentException>().WithMessage("*3 values*");
        ranker.Invoking(r => r.AddClip("c", [0], [1f], [1.5f])).Should().Throw<ArgumentException>().WithMessage("*Coverage of latent 0 is 1.5*");
        ranker.Invoking(r => r.AddClip("d", [2], [float.NaN], [0.5f])).Should().Throw<ArgumentException>().WithMessage("*MeanActivation of latent 2*");
        ranker.Invoking(r => r.AddClip("e", [7], [1f], [1f])).Should().Throw<ArgumentException>().WithMessage("*latent index 7*");
        ranker.Invoking(r => r.AddClip("f", [1, 1], [1f, 1f], [1f, 1f])).Should().Throw<ArgumentException>().WithMessage("*listed twice*");
        ranker.Invoking(r => r.AddClip("g", [0], [0f], [-0.5f])).Should().Throw<ArgumentException>();

        // Rejected sparse clips left no trace.
        var result = ranker.Complete();
        result.ClipCount.Should().Be(1);
        result.Latents[0].Top.Should().Equal(new RankedClip("a", 1f, 1f));
        result.Latents[2].IsDead.Should().BeTrue();
    }

    [Fact]
    public void A_dense_clip_rejected_part_way_makes_the_ranker_refuse_further_use()
    {
        var ranker = new ConceptRanker(3);
        ranker.AddClip("a", [1f, 0f, 0f], [1f, 0f, 0f]);
        ranker.Invoking(r => r.AddClip("b", [1f, float.NaN, 0f], [0.5f, 0.5f, 0f])).Should().Throw<ArgumentException>()
            .WithMessage("*MeanActivation of latent 1*");
        ranker.Invoking(r => r.Complete()).Should().Throw<InvalidOperationException>().WithMessage("*'b'*start a new ranker*");
        ranker.Invoking(r => r.AddClip("c", [0f, 0f, 0f], [0f, 0f, 0f])).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Memory_of_the_ranker_does_not_grow_with_the_number_of_clips()
    {
        const int Latents = 64;
        var options = new ConceptRankerOptions { RejectDuplicateClipIds = false };
        var ranker = new ConceptRanker(Latents, options);
        var random = new Random(3);
        var mean = new float[Latents];
        var coverage = new float[Latents];
        long after1000 = 0;
        for (var i = 0; i < 20_000; i++)
        {
            for (var j = 0; j < Latents; j++)
            {
                coverage[j] = random.NextDouble() < 0.2 ? (float)random.NextDouble() : 0f;
                mean[j] = (float)random.NextDouble();
            }

            ranker.AddClip($"c{i}", mean, coverage);
            if (i == 999)
            {
                after1000 = ranker.StateBytes;
            }
        }

        ranker.StateBytes.Should().BeLessThanOrEqualTo(after1000 * 2, "state is O(m·p), not O(clips)");
    }
}
