using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Evaluation;
using ArdMl.Pipeline;

namespace ArdMl.Tests.KnownAnswer;

/// <summary>The known-answer benchmark at a size for the test suite: planted truth in, the paper's order out.</summary>
/// <remarks>
/// At this size (500 clips, d = 32, 112 concepts, discover's 600 SAE steps) the development machine measured raw 0.21 &lt;
/// random 0.24 &lt; mean only 0.34 &lt; coverage only 0.49 &lt; AR&amp;D 0.56, 2.6 × raw. The full benchmark's targets
/// (AR&amp;D ≥ 0.9 and ≥ 3 × raw) need its 800 clips and 3,000 steps (BENCHMARKS.md: 0.88 and 4.7 ×), too slow for the
/// suite, so the floors here are the small size's, with a margin.
/// </remarks>
public sealed class KnownAnswerBenchmarkTests : IDisposable
{
    private const double MinimumArdMeanAveragePrecision = 0.5;
    private const double MinimumArdOverRaw = 2.2;

    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-known-answer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MethodsComeOutInThePapersOrderAndArdRecoversThePlantedLabels()
    {
        var result = KnownAnswerBenchmark.Run(new KnownAnswerBenchmarkOptions
        {
            OutputDirectory = _folder,
            Corpus = new KnownAnswerOptions { Width = 32, ConceptCount = 112, ClipCount = 500 },
            Steps = DiscoveryOptions.DefaultSteps,
        });

        var mAP = KnownAnswerBenchmark.PaperOrder.ToDictionary(m => m, result.MeanAveragePrecision);
        var table = result.Comparison.Table.ToText();
        result.HasPaperOrder.Should().BeTrue(table);
        mAP[BenchmarkMethod.Ard].Should().BeGreaterThanOrEqualTo(MinimumArdOverRaw * mAP[BenchmarkMethod.RawNeurons], table);
        mAP[BenchmarkMethod.Ard].Should().BeGreaterThanOrEqualTo(MinimumArdMeanAveragePrecision, table);

        var manifest = DiscoveryManifest.Load(result.Discovery.RunDirectory);
        manifest.ActivationsDirectory.Should().Be(Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder));
        manifest.LatentCount.Should().Be(4 * 32);
        manifest.NamingSource.Should().Be("labels");
        foreach (var file in new[] { "model.zip", "concepts.json", "concept-scores.csv", "clip-statistics.idv", "run.json" })
        {
            File.Exists(Path.Combine(result.Discovery.RunDirectory, file)).Should().BeTrue(file);
        }

        var planted = result.Corpus.Clips.SelectMany(c => c.Labels).ToHashSet(StringComparer.Ordinal);
        result.Discovery.Dictionary.Concepts.Should().OnlyContain(c => planted.Contains(c.Name), "concepts are named by the planted labels of their top clips");
    }
}
