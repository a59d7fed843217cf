using ArdMl.Concepts;
using ArdMl.Demo;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML;

namespace ArdMl.Tests.EndToEnd;

/// <summary>The discovery sweep on a small generated demo corpus with the committed demo model.</summary>
public sealed class DiscoverySweepTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-sweep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_sweep_runs_every_setting_and_keeps_the_one_whose_names_hold_best_on_the_discovery_clips()
    {
        var corpus = Path.Combine(_folder, "corpus");
        DemoCorpusGenerator.Write(corpus, new DemoCorpusOptions { ClipCount = 60 });
        var output = Path.Combine(_folder, "out");
        var settings = new[] { new DiscoverySweepSetting(null, 32, 4, 80), new DiscoverySweepSetting(null, 256, 4, 80) };
        var result = DiscoverySweep.Run(
            new DiscoveryOptions
            {
                ModelDescriptionPath = Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", "demo-sound-events.json"),
                AudioDirectory = Path.Combine(corpus, DemoCorpusGenerator.ClipsFolder),
                LabelsPath = Path.Combine(corpus, DemoCorpusGenerator.LabelsFile),
                OutputDirectory = output,
                BatchSize = 256,
                MinimumMonosemanticity = null,
            },
            settings);

        result.Rows.Select(r => r.Setting).Should().Equal(settings);
        var dictionaries = result.Rows.Select(r => ConceptDictionaryJson.Load(Path.Combine(r.RunDirectory, DiscoveryManifest.ConceptsFileName))).ToList();
        var ml = new MLContext(seed: 0);
        var corpusTexts = CaptionCorpus.Create(CaptionTable.ReadCsv(Path.Combine(corpus, DemoCorpusGenerator.LabelsFile)), CaptionKind.Labels);
        var scorers = result.Rows.Select((r, i) =>
        {
            var store = ClipStatisticsStore.Load(ml, Path.Combine(r.RunDirectory, DiscoveryManifest.StatisticsFileName));
            var scorer = new ConceptDetectionScorer(dictionaries[i], corpusTexts);
            for (var row = 0; row < store.ClipIds.Count; row++)
            {
                scorer.Add(store.ClipIds[row], store.MeanActivation[row], store.Coverage[row]);
            }

            return scorer;
        }).ToList();
        var expected = ConceptDetectionScorer.SharedClipCriteria(scorers);
        for (var i = 0; i < settings.Length; i++)
        {
            DiscoveryManifest.Load(result.Rows[i].RunDirectory).LatentCount.Should().Be(settings[i].LatentCount);
            result.Rows[i].Criterion.Should().BeApproximately(expected[i], 1e-12, "every setting is scored from its statistics on the clips all settings share");
            result.Rows[i].Criterion.Should().BeInRange(0, 1);
            dictionaries[i].Concepts.Should().Contain(c => c.DetectionScore != null);
            dictionaries[i].Concepts.Where(c => c.DetectionScore == null)
                .Should().OnlyContain(c => dictionaries[i].Concepts.Count(o => o.Name == c.Name) == 1, "a concept without a score is kept only as the best of its name");
        }

        result.Chosen.Criterion.Should().Be(result.Rows.Max(r => r.Criterion));
        File.ReadAllText(Path.Combine(output, DiscoveryManifest.ConceptsFileName))
            .Should().Be(File.ReadAllText(Path.Combine(result.Chosen.RunDirectory, DiscoveryManifest.ConceptsFileName)));
        File.ReadAllText(Path.Combine(output, DiscoverySweep.FileName)).Should().Contain("\"chosen\": \"" + result.Chosen.Setting.Label + "\"");
    }

    [Fact]
    public void The_criterion_scores_every_dictionary_on_the_same_clips_outside_all_their_top_clips()
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
        var sweepWithoutTexts = () => DiscoverySweep.Run(
            new DiscoveryOptions { ModelDescriptionPath = "x.json", AudioDirectory = _folder, OutputDirectory = _folder },
            [new DiscoverySweepSetting(null, null, 8, 10)]);
        sweepWithoutTexts.Should().Throw<ArgumentException>().WithMessage("*captions or labels*");
    }
}
