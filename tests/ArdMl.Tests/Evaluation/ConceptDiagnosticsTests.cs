using System.Text.Json;
using ArdMl.Concepts;
using ArdMl.Evaluation;
using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Pipeline;
using Microsoft.ML;

namespace ArdMl.Tests.Evaluation;

/// <summary>
/// Why concepts fail, on per-clip statistics with planted truth: four groups; "whole" has one latent in every group,
/// "split" one latent per group (the SAE divided the label by group) but one shared layer direction, "other" one
/// latent, "quiet" none.
/// </summary>
public sealed class ConceptDiagnosticsTests : IDisposable
{
    private const int Latents = 24;
    private const int Width = 8;
    private const string GroupPattern = @"^(g\d)_";
    private static readonly string[] LabelNames = ["whole", "split", "other", "quiet"];
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-diagnostics-").FullName;

    /// <summary>
    /// Decoys: every "quiet" clip fires the "other" latent rarely but loudly (μ 4, c 0.3), so r = μ·c ranks them above
    /// the real "other" clips (μ·c ≈ 1) while coverage ranks the real ones first.
    /// </summary>
    private static readonly Action<string, float[], float[]> LoudQuietDecoys = (label, mean, coverage) =>
    {
        if (label == "quiet")
        {
            mean[5] = 4f;
            coverage[5] = 0.3f;
        }
    };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Planted_concepts_give_the_expected_probes_erasure_and_group_concentration()
    {
        var (run, labels) = WritePlantedRun();
        var result = MethodComparison.Run(run, labels, new MethodComparisonOptions()).Diagnostics!;

        result.IsGrouped.Should().BeTrue();
        result.PerFold.Select(l => l.Fold).Distinct().Should().HaveCount(4);
        var whole = result.Labels.Single(l => l.Label == "whole");
        var split = result.Labels.Single(l => l.Label == "split");

        // Sparse probing: one latent carries "whole" nearly as well as the whole code, far above chance.
        whole.Chance.Should().BeApproximately(0.25, 0.01);
        whole.SparseProbes[0].LatentCount.Should().Be(1);
        whole.SparseProbes[0].AveragePrecision.Should().BeGreaterThan(0.9);
        whole.SparseProbes[0].AveragePrecision.Should().BeLessThanOrEqualTo(whole.FullCodeAveragePrecision + 0.05);
        result.PerFold.Where(l => l.Label == "whole").Should().OnlyContain(l => l.MostAssociatedLatents[0] == 0);

        // The code's "split" latents of the discovery groups never fire on the evaluation group: the layer probe, which
        // sees the shared direction, transfers and the code probe does not.
        split.FullLayerAveragePrecision.Should().BeGreaterThan(0.9);
        split.FullLayerAveragePrecision.Should().BeGreaterThan(split.FullCodeAveragePrecision + 0.25);

        // Erasure: removing the few latents that carry "whole" (and its negatives) brings its probe to chance.
        whole.ErasureShare.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(0.5);
        result.PerFold.Where(l => l.Label == "whole").Should().OnlyContain(l =>
            l.Erasure[0].RemovedLatents == 0 && l.Erasure[l.Erasure.Count - 1].AveragePrecision <= l.Chance + 0.05);

        // Group concentration: a split concept's top clips come from one group; the whole concept's from any group.
        var splitConcepts = result.PerFold.Where(l => l.Label == "split").SelectMany(l => l.Concepts).Where(c => c.LabelShare >= 0.9).ToList();
        var wholeConcepts = result.PerFold.Where(l => l.Label == "whole").SelectMany(l => l.Concepts).Where(c => c.LabelShare >= 0.9).ToList();
        splitConcepts.Should().NotBeEmpty();
        wholeConcepts.Should().NotBeEmpty();
        splitConcepts.Should().OnlyContain(c => c.Concentration > 0.95 && c.ExpectedConcentration < 0.8);
        wholeConcepts.Average(c => c.Concentration).Should().BeLessThan(wholeConcepts.Average(c => c.ExpectedConcentration) + 0.15);
        split.Concentration.Should().BeGreaterThan(whole.Concentration + 0.2);
    }

    [Fact]
    public void Eval_json_and_markdown_carry_the_diagnostics()
    {
        var (run, labels) = WritePlantedRun();
        var result = MethodComparison.Run(run, labels, new MethodComparisonOptions { Diagnostics = new ConceptDiagnosticsOptions { SparseProbeSizes = [1, 3] } });

        using var json = JsonDocument.Parse(result.ToJson());
        var diagnostics = json.RootElement.GetProperty("diagnostics");
        diagnostics.GetProperty("sparseProbeSizes").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(1, 3);
        diagnostics.GetProperty("labels").GetArrayLength().Should().Be(LabelNames.Length);
        diagnostics.GetProperty("perFold")[0].GetProperty("erasure")[0].GetProperty("removedLatents").GetInt32().Should().Be(0);
        json.RootElement.GetProperty("stability").ValueKind.Should().Be(JsonValueKind.Null);
        result.ToMarkdown().Should().Contain("## Why concepts fail: diagnostics").And.Contain("| top-3 |");
        MethodComparison.Run(run, labels, new MethodComparisonOptions { Diagnostics = null }).Diagnostics.Should().BeNull();
    }

    [Fact]
    public void Matched_similarity_is_one_for_a_permuted_sign_flipped_decoder_and_zero_for_orthogonal_ones()
    {
        float[] first = [1, 0, 0, 0, 0, 1, 0, 0];
        float[] permuted = [0, -2, 0, 0, 3, 0, 0, 0];
        float[] orthogonal = [0, 0, 1, 0, 0, 0, 0, 1];
        SaeStability.MatchedSimilarity(first, permuted, 4).Should().BeApproximately(1, 1e-6);
        SaeStability.MatchedSimilarity(first, orthogonal, 4).Should().BeApproximately(0, 1e-6);
        var act = () => SaeStability.MatchedSimilarity(first, [1, 2, 3], 4);
        act.Should().Throw<ArgumentException>().WithMessage("*width 4*");
    }

    [Fact]
    public void Trained_saes_of_different_seeds_agree_more_than_untrained_ones()
    {
        KnownAnswerGenerator.Write(_folder, new KnownAnswerOptions { Width = 16, ConceptCount = 24, ClipCount = 80 });
        var run = DiscoveryPipeline.DiscoverFromActivations(new ActivationDiscoveryOptions
        {
            ActivationsDirectory = Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder),
            OutputDirectory = Path.Combine(_folder, "run"),
            LabelsPath = Path.Combine(_folder, KnownAnswerCorpus.LabelsFile),
            LatentCount = 32,
            K = 4,
            Steps = 300,
            BatchSize = 256,
        }).RunDirectory;
        var reports = new List<DiscoveryProgress>();
        var stability = SaeSeedStability.Measure(run, new SaeStabilityOptions { FurtherSeeds = 2 }, new SynchronousProgress<DiscoveryProgress>(reports.Add));

        stability.Seeds.Should().Equal(0UL, 1UL, 2UL);
        stability.TrainedPairs.Should().HaveCount(3);
        stability.TrainedSimilarity.Should().BeGreaterThan(stability.UntrainedSimilarity + 0.1);
        stability.TrainedSimilarity.Should().BeLessThanOrEqualTo(1.0 + 1e-6);
        reports.Should().Contain(r => r.Stage == DiscoveryStage.TrainSparseAutoencoder && r.Detail == "seed 2");
    }

    [Fact]
    public void The_clip_score_option_changes_only_what_the_baselines_detect_by()
    {
        var (run, labels) = WritePlantedRun(LoudQuietDecoys);
        MethodComparisonResult Evaluate(MethodClipScore clipScore) =>
            MethodComparison.Run(run, labels, new MethodComparisonOptions { ClipScore = clipScore, Diagnostics = null, IncludeProbe = false });
        double Map(MethodComparisonResult result, BenchmarkMethod method) => result.Rows.Single(r => r.Method == method).Result.MeanAveragePrecision;

        var own = Evaluate(MethodClipScore.OwnCriterion);
        var shared = Evaluate(MethodClipScore.Representativeness);

        Map(own, BenchmarkMethod.CoverageOnly).Should().BeGreaterThan(Map(shared, BenchmarkMethod.CoverageOnly) + 0.05, "coverage-only detecting by c is not misled by the decoys");
        foreach (var method in new[] { BenchmarkMethod.Ard, BenchmarkMethod.RawNeurons, BenchmarkMethod.RandomRepresentatives })
        {
            Map(shared, method).Should().Be(Map(own, method), $"{method} detects by μ·c under both");
        }

        shared.ClipScore.Should().Be(MethodClipScore.Representativeness);
        using var json = JsonDocument.Parse(shared.ToJson());
        json.RootElement.GetProperty("clipScore").GetString().Should().Be("Representativeness");
        shared.Protocol.Should().Contain("Every SAE method detects its concepts by r = μ·c");
        own.Protocol.Should().Contain("Each SAE method detects its concepts by its own ranking criterion");
    }

    [Fact]
    public void With_mu_over_active_frames_ard_is_the_all_frames_mean_only_row()
    {
        // μ_all = ā·c, so AR&D's μ·c with μ over active frames (ā·c) ranks, names, detects and scores exactly as
        // mean-only with the run's all-frames μ.
        var (run, labels) = WritePlantedRun(LoudQuietDecoys);
        MethodComparisonResult Evaluate(ClipMeanMode mode) =>
            MethodComparison.Run(run, labels, new MethodComparisonOptions { MeanMode = mode, Diagnostics = null, IncludeProbe = false });
        InterpretabilityBenchmarkResult Row(MethodComparisonResult result, BenchmarkMethod method) => result.Rows.Single(r => r.Method == method).Result;

        var all = Evaluate(ClipMeanMode.AllFrames);
        var active = Evaluate(ClipMeanMode.ActiveFrames);

        Row(active, BenchmarkMethod.Ard).MeanAveragePrecision.Should().BeApproximately(Row(all, BenchmarkMethod.MeanActivationOnly).MeanAveragePrecision, 1e-9);
        Row(active, BenchmarkMethod.Ard).Macro.F1.Should().BeApproximately(Row(all, BenchmarkMethod.MeanActivationOnly).Macro.F1, 1e-9);
        Row(active, BenchmarkMethod.Ard).ConceptCount.Should().Be(Row(all, BenchmarkMethod.MeanActivationOnly).ConceptCount);
        Row(active, BenchmarkMethod.CoverageOnly).MeanAveragePrecision.Should().Be(Row(all, BenchmarkMethod.CoverageOnly).MeanAveragePrecision, "c does not depend on μ");
        active.MeanMode.Should().Be(ClipMeanMode.ActiveFrames);
        active.Protocol.Should().Contain("μ is averaged over the frames where a unit fires");
    }

    [Fact]
    public void A_run_discovered_with_mu_over_active_frames_records_it_and_eval_converts_between_the_readings()
    {
        KnownAnswerGenerator.Write(_folder, new KnownAnswerOptions { Width = 16, ConceptCount = 24, ClipCount = 80 });
        string Discover(string name, ClipMeanMode mode) => DiscoveryPipeline.DiscoverFromActivations(new ActivationDiscoveryOptions
        {
            ActivationsDirectory = Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder),
            OutputDirectory = Path.Combine(_folder, name),
            LabelsPath = Path.Combine(_folder, KnownAnswerCorpus.LabelsFile),
            LatentCount = 32,
            K = 4,
            Steps = 200,
            BatchSize = 256,
            MeanMode = mode,
        }).RunDirectory;
        var all = Discover("all", ClipMeanMode.AllFrames);
        var active = Discover("active", ClipMeanMode.ActiveFrames);
        var labels = Path.Combine(_folder, KnownAnswerCorpus.LabelsFile);
        MethodComparisonResult Evaluate(string run, ClipMeanMode? mode) =>
            MethodComparison.Run(run, labels, new MethodComparisonOptions { MeanMode = mode, Diagnostics = null, IncludeProbe = false });
        double Map(MethodComparisonResult result, BenchmarkMethod method) => result.Rows.Single(r => r.Method == method).Result.MeanAveragePrecision;

        DiscoveryManifest.Load(active).MeanMode.Should().Be(ClipMeanMode.ActiveFrames);
        DiscoveryManifest.Load(all).MeanMode.Should().Be(ClipMeanMode.AllFrames);
        var activeAsRun = Evaluate(active, null);
        activeAsRun.MeanMode.Should().Be(ClipMeanMode.ActiveFrames, "eval reads μ as the run computed it");
        var allAsActive = Evaluate(all, ClipMeanMode.ActiveFrames);
        var activeAsAll = Evaluate(active, ClipMeanMode.AllFrames);
        var allAsRun = Evaluate(all, null);

        // Mean mode does not touch SAE training (same seed, same SAE), so converting one run's μ gives the other's table.
        foreach (var method in new[] { BenchmarkMethod.Ard, BenchmarkMethod.MeanActivationOnly, BenchmarkMethod.CoverageOnly })
        {
            Map(allAsActive, method).Should().BeApproximately(Map(activeAsRun, method), 1e-6, $"{method}: the all-frames run read over active frames");
            Map(activeAsAll, method).Should().BeApproximately(Map(allAsRun, method), 1e-6, $"{method}: the active-frames run read over all frames");
        }
    }

    /// <summary>A run folder (run.json, clip-statistics.idv) and labels CSV with the planted truth of the class summary.</summary>
    /// <param name="alter">Changes a clip's μ and c after the planted values are set (label, μ, c); null leaves them.</param>
    private (string Run, string Labels) WritePlantedRun(Action<string, float[], float[]>? alter = null)
    {
        var run = Path.Combine(_folder, "planted-run");
        Directory.CreateDirectory(run);
        var labelsPath = Path.Combine(_folder, "planted-labels.csv");
        var random = new Random(7);
        var store = new ClipStatisticsStore(Latents, Width);
        var rows = new List<(string, string)>();
        for (var group = 0; group < 4; group++)
        {
            for (var n = 0; n < 100; n++)
            {
                var clip = $"g{group}_{n:D3}";
                var label = LabelNames[n % LabelNames.Length];
                rows.Add((clip, label));
                var mean = new float[Latents];
                var coverage = new float[Latents];
                for (var j = 0; j < Latents; j++)
                {
                    mean[j] = (float)(0.05 * random.NextDouble());
                    coverage[j] = 0.1f;
                }

                var active = label switch { "whole" => 0, "split" => 1 + group, "other" => 5, _ => -1 };
                if (active >= 0)
                {
                    mean[active] = (float)(1 + (0.2 * random.NextDouble()));
                    coverage[active] = 0.9f;
                }

                var frame = new float[Width];
                for (var u = 0; u < Width; u++)
                {
                    frame[u] = (float)(0.1 * random.NextDouble());
                }

                switch (label)
                {
                    case "whole": frame[0] += 1; break;
                    case "split": frame[1] += 1; frame[2 + group] += 0.5f; break;
                    case "other": frame[6] += 1; break;
                    default: frame[7] += 1; break;
                }

                alter?.Invoke(label, mean, coverage);
                store.Add(clip, mean, coverage, frame);
            }
        }

        ClipTextCsv.Write(labelsPath, rows);
        store.Save(new MLContext(seed: 0), Path.Combine(run, DiscoveryManifest.StatisticsFileName));
        new DiscoveryManifest
        {
            LabelsPath = labelsPath,
            NamingSource = "labels",
            ActivationWidth = Width,
            LatentCount = Latents,
            K = 4,
            ClipsPerSet = 4,
            MinimumMonosemanticity = 1.0,
            MinimumDetectionScore = 0.5,
            GroupPattern = GroupPattern,
        }.Save(run);
        return (run, labelsPath);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
