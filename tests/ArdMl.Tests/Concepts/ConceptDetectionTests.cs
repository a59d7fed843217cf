using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

public sealed class ConceptDetectionTests
{
    private const int Latents = 3;

    /// <summary>
    /// 2 speakers × 2 labels × 10 clips ("x" and "y"). Latent 0 fires on every "x" clip; latent 1 fires on "x"
    /// clips of speaker "a" only (a speaker-split latent); latent 2 fires on its own 4 H clips and nothing else. All
    /// three are named "x".
    /// </summary>
    private static (ConceptDictionary Dictionary, CaptionCorpus Corpus, List<(string Id, float[] Mean, float[] Coverage)> Clips) Corpus(CaptionKind kind = CaptionKind.Labels)
    {
        var clips = new List<(string Id, float[] Mean, float[] Coverage)>();
        var texts = new List<(string, string)>();
        var random = new Random(5);
        foreach (var speaker in new[] { "a", "b" })
        {
            foreach (var label in new[] { "x", "y" })
            {
                for (var take = 0; take < 10; take++)
                {
                    var id = $"{label}_{speaker}_{take}.wav";
                    var mean = new float[Latents];
                    var coverage = new float[Latents];
                    void Fire(int latent)
                    {
                        mean[latent] = 1f + (float)random.NextDouble();
                        coverage[latent] = 0.5f + (0.5f * (float)random.NextDouble());
                    }

                    if (label == "x")
                    {
                        Fire(0);
                        if (speaker == "a")
                        {
                            Fire(1);
                        }
                    }

                    if (speaker == "b" && label == "y" && take < 4)
                    {
                        Fire(2);
                    }

                    clips.Add((id, mean, coverage));
                    texts.Add((id, kind == CaptionKind.Labels ? label : $"a sound of {(label == "x" ? "dog barking" : "rain")} outside"));
                }
            }
        }

        var name = kind == CaptionKind.Labels ? "x" : "dog barking";
        var concepts = Enumerable.Range(0, Latents).Select(latent => new Concept
        {
            Latent = latent,
            Name = name,
            NamingSource = NamingSource.MajorityLabel,
            Monosemanticity = 2,
            Top = [.. clips.Where(c => c.Coverage[latent] > 0).OrderByDescending(c => c.Mean[latent] * c.Coverage[latent]).Take(4)
                .Select(c => new RankedClip(c.Id, c.Mean[latent] * c.Coverage[latent], c.Mean[latent] * c.Coverage[latent]))],
        }).ToList();
        var dictionary = new ConceptDictionary(Latents, clips.Count, new ConceptRankerOptions(), concepts, []);
        var corpus = CaptionCorpus.Create(CaptionTable.FromPairs(texts), kind);
        return (dictionary, corpus, clips);
    }

    private static IReadOnlyList<ConceptDetection> Score(ConceptDetectionOptions options, CaptionKind kind = CaptionKind.Labels, int shuffleSeed = 0)
    {
        var (dictionary, corpus, clips) = Corpus(kind);
        var scorer = new ConceptDetectionScorer(dictionary, corpus, options);
        foreach (var clip in shuffleSeed == 0 ? clips : clips.OrderBy(_ => new Random(shuffleSeed).Next()).ToList())
        {
            scorer.Add(clip.Id, clip.Mean, clip.Coverage);
        }

        return scorer.Complete();
    }

    [Fact]
    public void A_latent_that_carries_its_name_everywhere_scores_one_and_a_split_latent_scores_lower_by_group()
    {
        var grouped = Score(new ConceptDetectionOptions { GroupPattern = "^[a-z]_([a-z])_" });
        grouped[0].Score.Should().BeApproximately(1.0, 1e-9);
        grouped[0].GroupScores.Keys.Should().BeEquivalentTo(["a", "b"]);
        grouped[1].GroupScores["a"].Should().BeApproximately(1.0, 1e-9);
        grouped[1].GroupScores["b"].Should().BeApproximately(0.5, 1e-9, "no speaker-b clip is ranked above another: AP = base rate");
        grouped[1].Score.Should().BeApproximately(0.75, 1e-9);

        var pooled = Score(new ConceptDetectionOptions());
        pooled[0].Score.Should().BeApproximately(1.0, 1e-9);
        pooled[1].Score.Should().BeLessThan(grouped[1].Score).And.BeGreaterThan(0.5);
    }

    [Fact]
    public void The_clips_a_name_was_made_from_do_not_count()
    {
        var result = Score(new ConceptDetectionOptions());
        result[2].Positives.Should().Be(20, "the 20 'x' clips; latent 2's H clips are 'y' clips");
        result[2].Score.Should().BeApproximately(20.0 / 36, 1e-9, "outside its 4 H clips latent 2 is zero on all 36 clips: AP = share of positives");
    }

    [Fact]
    public void Selection_keeps_concepts_above_the_minimum_and_the_best_of_each_name_best_first()
    {
        var (dictionary, corpus, clips) = Corpus();
        var options = new ConceptDetectionOptions { GroupPattern = "^[a-z]_([a-z])_", MinimumDetectionScore = 0.8 };
        var scorer = new ConceptDetectionScorer(dictionary, corpus, options);
        clips.ForEach(c => scorer.Add(c.Id, c.Mean, c.Coverage));
        var detections = scorer.Complete();
        var kept = ConceptDetectionScorer.Select(dictionary, detections, options);
        kept.Concepts.Select(c => c.Latent).Should().Equal(0);
        kept.Concepts[0].DetectionScore.Should().BeApproximately(1.0, 1e-9);

        var lenient = ConceptDetectionScorer.Select(dictionary, detections, new ConceptDetectionOptions { MinimumDetectionScore = 0.6 });
        lenient.Concepts.Select(c => c.Latent).Should().Equal(0, 1);
        ConceptDetectionScorer.Select(dictionary, detections, new ConceptDetectionOptions { MinimumDetectionScore = null })
            .Concepts.Select(c => c.Latent).Should().Equal(0, 1, 2);
        ConceptDetectionScorer.Select(dictionary, detections, new ConceptDetectionOptions { MinimumDetectionScore = 0.99, KeepBestOfEachName = false })
            .Concepts.Select(c => c.Latent).Should().Equal(0);
    }

    [Fact]
    public void Caption_names_match_the_phrase_inside_captions()
    {
        var result = Score(new ConceptDetectionOptions(), CaptionKind.Captions);
        result[0].Positives.Should().Be(16, "20 clips captioned with 'dog barking', less latent 0's 4 H clips");
        result[0].Score.Should().BeApproximately(1.0, 1e-9);
    }

    [Fact]
    public void The_result_does_not_depend_on_clip_order_and_a_sample_bounds_the_clips_kept()
    {
        var inOrder = Score(new ConceptDetectionOptions { MaximumClips = 25 });
        var shuffled = Score(new ConceptDetectionOptions { MaximumClips = 25 }, shuffleSeed: 3);
        shuffled.Select(d => d.Score).Should().Equal(inOrder.Select(d => d.Score));
        inOrder[0].Positives.Should().BeLessThan(20);
    }

    [Fact]
    public void A_clip_outside_the_group_pattern_is_named_in_the_error()
    {
        var (dictionary, corpus, clips) = Corpus();
        var scorer = new ConceptDetectionScorer(dictionary, corpus, new ConceptDetectionOptions { GroupPattern = "^speaker-(\\d+)" });
        var add = () => scorer.Add(clips[0].Id, clips[0].Mean, clips[0].Coverage);
        add.Should().Throw<ArgumentException>().WithMessage("*'^speaker-(\\d+)'*'x_a_0.wav'*");
        var invalid = () => new ConceptDetectionOptions { GroupPattern = "([a-z" }.Validate();
        invalid.Should().Throw<ArgumentException>().WithMessage("*'([a-z'*not a valid regular expression*");
    }

    [Fact]
    public void Shared_clip_criteria_score_every_dictionary_on_the_same_clips_outside_all_their_top_clips()
    {
        // Ten clips, "dog" on c0–c3. Both dictionaries' "dog" concepts rank clips by the same latent, whose r orders
        // them c0+ c4 c1+ c2+ c5 c3+ c6 c7 c8 c9; A's top clips are c0, c1 (dog), B's are c8, c9 (not dog). Scored outside
        // its own top clips, B looks better (AP 0.77 against 0.50) only because it leaves all four dog clips to rank.
        string[] order = ["c0", "c4", "c1", "c2", "c5", "c3", "c6", "c7", "c8", "c9"];
        static Concept Dog(params string[] top) => new()
        {
            Latent = 0,
            Name = "dog",
            NamingSource = NamingSource.MajorityLabel,
            Monosemanticity = 1,
            Top = [.. top.Select(c => new RankedClip(c, 1, 1))],
        };
        var texts = Enumerable.Range(0, 10).Select(i => ($"c{i}", i < 4 ? "dog" : "cat")).ToList();
        var corpus = CaptionCorpus.Create(CaptionTable.FromPairs(texts), CaptionKind.Labels);
        ConceptDetectionScorer Fed(Concept concept)
        {
            var scorer = new ConceptDetectionScorer(new ConceptDictionary(1, 10, new ConceptRankerOptions(), [concept], []), corpus);
            for (var rank = 0; rank < order.Length; rank++)
            {
                scorer.Add(order[rank], [1f - (rank / 10f)], [1f]);
            }

            return scorer;
        }

        var (a, b) = (Fed(Dog("c0", "c1")), Fed(Dog("c8", "c9")));
        a.Complete()[0].Score.Should().BeApproximately(0.5, 1e-9, "outside c0, c1: c4 c2+ c5 c3+ ...");
        b.Complete()[0].Score.Should().BeApproximately((1 + (2.0 / 3) + (3.0 / 4) + (4.0 / 6)) / 4, 1e-9);

        var shared = ConceptDetectionScorer.SharedClipCriteria([a, b]);
        shared[0].Should().Be(shared[1], "the same ranking on the same clips scores the same");
        shared[0].Should().BeApproximately(0.5, 1e-9, "outside c0, c1, c8, c9: c4 c2+ c5 c3+ c6 c7");

        // A name only one dictionary found counts 0 for the other.
        var rain = Fed(new Concept { Latent = 0, Name = "rain", NamingSource = NamingSource.MajorityLabel, Monosemanticity = 1 });
        ConceptDetectionScorer.SharedClipCriteria([a, rain]).Should().Equal(0.5 / 2, 0);
        FluentActions.Invoking(() => ConceptDetectionScorer.SharedClipCriteria([])).Should().Throw<ArgumentException>();
    }
}
