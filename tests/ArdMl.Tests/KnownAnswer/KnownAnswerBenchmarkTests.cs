using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Concepts;
using ArdMl.Evaluation;
using ArdMl.Pipeline;

namespace ArdMl.Tests.KnownAnswer;

/// <summary>The known-answer benchmark at a size for the test suite: planted truth in, the paper's order out.</summary>
/// <remarks>
/// At this size (500 clips, d = 32, 112 concepts, the benchmark's m = 8 × d and k = 4 but discover's 600 SAE steps)
/// the development machine measured mAP 0.08 for raw neurons and 0.79 for AR&amp;D (9.6 × raw), in the paper's order, under the benchmark's protocol
/// (names and thresholds from discovery and calibration clips, figures on the other 30 %). The full benchmark's
/// target (AR&amp;D ≥ 0.9) needs its 800 clips of d = 48 and 3,000 steps, too slow for the suite, so the floors here
/// are the small size's with a margin: the paper's order, AR&amp;D ≥ 0.7 and ≥ 3 × raw.
/// </remarks>
public sealed class KnownAnswerBenchmarkTests : IDisposable
{
    private const double MinimumArdMeanAveragePrecision = 0.7;
    private const double MinimumArdOverRaw = 3;

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
        manifest.LatentCount.Should().Be(KnownAnswerBenchmark.DefaultLatentsPerUnit * 32);
        manifest.NamingSource.Should().Be("labels");
        manifest.MeanModeChoice.Should().NotBeNull("the run chose what μ averages over on its clips");
        manifest.MeanMode.Should().Be(ClipMeanMode.AllFrames,
            $"the brief loud distractors make μ over active frames a worse reading, and the run's choice must see it ({manifest.MeanModeChoice})");
        result.Comparison.MeanModeChosenPerFold.Should().BeTrue("eval chooses again on each fold's discovery clips");
        foreach (var file in new[] { "model.zip", "concepts.json", "concept-scores.csv", "clip-statistics.idv", "run.json" })
        {
            File.Exists(Path.Combine(result.Discovery.RunDirectory, file)).Should().BeTrue(file);
        }

        var planted = result.Corpus.Clips.SelectMany(c => c.Labels).ToHashSet(StringComparer.Ordinal);
        result.Discovery.Dictionary.Concepts.Should().OnlyContain(c => planted.Contains(c.Name), "concepts are named by the planted labels of their top clips");
    }
}
