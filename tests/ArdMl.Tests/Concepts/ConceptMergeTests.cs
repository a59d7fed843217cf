using ArdMl.Concepts;

namespace ArdMl.Tests.Concepts;

/// <summary>ConceptDetectionScorer.MergeByName: one concept of several latents for a name split by speaker.</summary>
public sealed class ConceptMergeTests
{
    private const int Latents = 4;
    private const string Speakers = "^[a-z]_([a-z])_";

    /// <summary>
    /// 2 speakers × 2 labels × 10 clips. Latent 0 fires on the "x" clips of speaker a only, latent 1 on those of
    /// speaker b only (a name split by speaker); latent 2 fires on every "y" clip; latent 3, also named "y", fires on
    /// every clip alike with noise (a name that does not hold). Latents 0 and 1 are named "x", 2 and 3 "y".
    /// </summary>
    private static (ConceptDetectionScorer Scorer, ConceptDictionary Dictionary, List<(string Id, float[] Mean, float[] Coverage)> Clips) Scored()
    {
        var clips = new List<(string Id, float[] Mean, float[] Coverage)>();
        var texts = new List<(string, string)>();
        var random = new Random(9);
        foreach (var speaker in new[] { "a", "b" })
        {
            foreach (var label in new[] { "x", "y" })
            {
                for (var take = 0; take < 10; take++)
                {
                    var id = $"{label}_{speaker}_{take}.wav";
                    var mean = new float[Latents];
                    var coverage = new float[Latents];
                    void Fire(int latent, float scale)
                    {
                        mean[latent] = scale * (1f + (float)random.NextDouble());
                        coverage[latent] = 0.5f + (0.5f * (float)random.NextDouble());
                    }

                    if (label == "x")
                    {
                        Fire(speaker == "a" ? 0 : 1, speaker == "a" ? 1f : 4f);
                    }
                    else
                    {
                        Fire(2, 1f);
                    }

                    Fire(3, 1f);
                    clips.Add((id, mean, coverage));
                    texts.Add((id, label));
                }
            }
        }

        var concepts = Enumerable.Range(0, Latents).Select(latent => new Concept
        {
            Latent = latent,
            Name = latent < 2 ? "x" : "y",
            NamingSource = NamingSource.MajorityLabel,
            Monosemanticity = 1 + latent,
            CaptionsUsed = [latent < 2 ? "x" : "y"],
            Top = [.. clips.Where(c => c.Coverage[latent] > 0).OrderByDescending(c => c.Mean[latent] * c.Coverage[latent]).Take(3)
                .Select(c => new RankedClip(c.Id, c.Mean[latent] * c.Coverage[latent], c.Mean[latent] * c.Coverage[latent]))],
        }).ToList();
        var dictionary = new ConceptDictionary(Latents, clips.Count, new ConceptRankerOptions(), concepts, []);
        var corpus = CaptionCorpus.Create(CaptionTable.FromPairs(texts), CaptionKind.Labels);
        var scorer = new ConceptDetectionScorer(dictionary, corpus, new ConceptDetectionOptions { GroupPattern = Speakers, MergeByName = true });
        clips.ForEach(c => scorer.Add(c.Id, c.Mean, c.Coverage));
        return (scorer, dictionary, clips);
    }

    [Fact]
    public void A_name_split_by_speaker_becomes_one_concept_that_detects_it_in_every_group()
    {
        var (scorer, dictionary, clips) = Scored();
        var single = scorer.Complete();
        single[0].Score.Should().BeLessThan(0.9, "latent 0 ranks speaker b's clips at random");
        single[1].Score.Should().BeLessThan(0.9);

        var (merged, detections) = scorer.MergeByName(single);
        var x = merged.Concepts.Single(c => c.Name == "x");
        x.Latents.Should().BeEquivalentTo([0, 1]);
        x.Members.Sum(m => m.Weight).Should().BeApproximately(1, 1e-12);
        x.Latent.Should().Be(x.Members[0].Latent, "the member of largest weight is the concept's latent");
        x.Top.Select(c => c.ClipId).Should().OnlyHaveUniqueItems().And.HaveCount(6, "the H clips of both members");
        x.Monosemanticity.Should().BeApproximately(x.Members.Sum(m => m.Weight * (1 + m.Latent)), 1e-12);
        detections[merged.Concepts.ToList().IndexOf(x)].Score.Should().BeApproximately(1.0, 1e-9, "the merged score ranks every 'x' clip first in both groups");

        // Each member counts in units of its own H clips: a typical clip of either speaker scores about 1, although
        // speaker b's latent fires four times as strongly.
        var index = merged.Concepts.ToList().IndexOf(x);
        foreach (var (speaker, latent) in new[] { ("a", 0), ("b", 1) })
        {
            var weight = x.Members.Single(m => m.Latent == latent).Weight;
            var inUnits = clips.Where(c => c.Id.StartsWith($"x_{speaker}_", StringComparison.Ordinal))
                .Average(c => merged.Score(c.Mean, c.Coverage)[index] / weight);
            inUnits.Should().BeInRange(0.5, 1.0, $"speaker {speaker}'s clips against the mean of latent {latent}'s H clips");
        }
    }

    [Fact]
    public void A_merge_that_detects_worse_than_its_best_member_is_not_made_and_the_best_member_stays_alone()
    {
        var (scorer, _, _) = Scored();
        var single = scorer.Complete();
        single[2].Score.Should().BeGreaterThan(single[3].Score);
        var (merged, detections) = scorer.MergeByName(single);
        merged.Concepts.Where(c => c.Name == "y").Select(c => c.Latent).Should().Equal([2], "latent 3 only blurs latent 2's ranking");
        var y = merged.Concepts.Single(c => c.Name == "y");
        y.Members.Should().ContainSingle().Which.Should().Be(new ConceptMember(2, 1, y.Top.Average(c => (double)c.Score)), "alone, in units of its H clips like a merged concept");
        detections.Should().HaveCount(merged.Concepts.Count);
    }

    [Fact]
    public void Selection_with_merging_keeps_one_concept_per_merged_name_and_the_dictionary_round_trips()
    {
        var (scorer, _, clips) = Scored();
        var selected = scorer.SelectConcepts();
        selected.Concepts.Select(c => c.Name).Should().BeEquivalentTo(["x", "y"], "one concept per name");
        var x = selected.Concepts.Single(c => c.Name == "x");
        x.Members.Should().HaveCount(2);
        x.DetectionScore.Should().BeApproximately(1.0, 1e-9);

        var json = ConceptDictionaryJson.Serialize(selected);
        json.Should().Contain("\"members\"");
        var loaded = ConceptDictionaryJson.Deserialize(json);
        loaded.ContentEquals(selected).Should().BeTrue();
        loaded.Concepts.Single(c => c.Name == "x").Members.Should().Equal(x.Members);
        foreach (var clip in clips)
        {
            loaded.Score(clip.Mean, clip.Coverage).Should().Equal(selected.Score(clip.Mean, clip.Coverage));
        }
    }

    [Fact]
    public void A_dictionary_refuses_members_that_do_not_make_a_score()
    {
        static Concept Of(int latent, string name, params ConceptMember[] members) => new()
        {
            Latent = latent,
            Name = name,
            NamingSource = NamingSource.MajorityLabel,
            Monosemanticity = 1,
            Members = members,
        };
        var ranking = new ConceptRankerOptions();
        var outside = () => new ConceptDictionary(2, 1, ranking, [Of(0, "x", new ConceptMember(0, 0.5, 1), new ConceptMember(2, 0.5, 1))], []);
        outside.Should().Throw<ArgumentException>().WithMessage("*latent 2, outside 0..1*");
        var shared = () => new ConceptDictionary(
            2, 1, ranking, [Of(0, "x", new ConceptMember(0, 0.5, 1), new ConceptMember(1, 0.5, 1)), Of(1, "y", new ConceptMember(1, 1, 1))], []);
        shared.Should().Throw<ArgumentException>().WithMessage("*Latent 1 appears in two concepts*");
        var zero = () => new ConceptDictionary(2, 1, ranking, [Of(0, "x", new ConceptMember(0, 1, 0))], []);
        zero.Should().Throw<ArgumentException>().WithMessage("*member latent 0 has weight 1 and scale 0*");
        var primary = () => new ConceptDictionary(2, 1, ranking, [Of(0, "x", new ConceptMember(1, 1, 1))], []);
        primary.Should().Throw<ArgumentException>().WithMessage("*its latent 0 is not among its members*");
    }

    [Fact]
    public void A_dictionary_without_members_reads_as_before()
    {
        var (_, dictionary, clips) = Scored();
        var json = ConceptDictionaryJson.Serialize(dictionary);
        json.Should().NotContain("\"members\"", "a concept of one latent is written as in version 1");
        var loaded = ConceptDictionaryJson.Deserialize(json);
        loaded.Score(clips[0].Mean, clips[0].Coverage).Should().Equal(clips[0].Mean.Zip(clips[0].Coverage, (m, c) => m * c));
    }
}
