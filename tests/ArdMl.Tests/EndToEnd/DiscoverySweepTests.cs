using ArdMl.Concepts;
using ArdMl.Demo;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;

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
        var names = dictionaries.SelectMany(d => d.Concepts.Select(c => c.Name.ToLowerInvariant())).Distinct().ToList();
        for (var i = 0; i < settings.Length; i++)
        {
            DiscoveryManifest.Load(result.Rows[i].RunDirectory).LatentCount.Should().Be(settings[i].LatentCount);
            result.Rows[i].Criterion.Should().BeApproximately(DiscoverySweep.Criterion(dictionaries[i], names), 1e-12);
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
    public void The_criterion_is_the_mean_best_detection_score_over_all_names_with_zero_for_missing_names()
    {
        static Concept Named(int latent, string name, double? detection) =>
            new() { Latent = latent, Name = name, NamingSource = NamingSource.MajorityLabel, Monosemanticity = 1, DetectionScore = detection };
        var dictionary = new ConceptDictionary(4, 10, new ConceptRankerOptions(), [Named(0, "dog", 0.9), Named(1, "Dog", 0.5), Named(2, "rain", null)], []);
        DiscoverySweep.Criterion(dictionary, ["dog", "rain", "bell"]).Should().BeApproximately(0.9 / 3, 1e-12);
        var sweepWithoutTexts = () => DiscoverySweep.Run(
            new DiscoveryOptions { ModelDescriptionPath = "x.json", AudioDirectory = _folder, OutputDirectory = _folder },
            [new DiscoverySweepSetting(null, null, 8, 10)]);
        sweepWithoutTexts.Should().Throw<ArgumentException>().WithMessage("*captions or labels*");
    }
}
