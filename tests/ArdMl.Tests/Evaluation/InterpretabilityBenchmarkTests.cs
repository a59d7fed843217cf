using ArdMl.Evaluation;

namespace ArdMl.Tests.Evaluation;

public sealed class InterpretabilityBenchmarkTests
{
    [Fact]
    public void SplitIsDeterministicOrderFreeAndNearTheFraction()
    {
        var ids = Enumerable.Range(0, 20000).Select(i => $"clip{i:D5}.wav").ToList();
        var heldOut = ids.Count(id => HeldOutClipSplit.IsHeldOut(id, 0.3));
        ((double)heldOut / ids.Count).Should().BeInRange(0.29, 0.31);
        HeldOutClipSplit.Hash("clip00001.wav").Should().Be(HeldOutClipSplit.Hash("clip00001.wav"));
        HeldOutClipSplit.Hash("clip00001.wav", salt: 1).Should().NotBe(HeldOutClipSplit.Hash("clip00001.wav"));
        ids.Count(id => HeldOutClipSplit.IsHeldOut(id, 0.3, salt: 7)).Should().NotBe(0);
    }

    [Fact]
    public void HandComputedMicroMacroAndMap()
    {
        var scenario = new Scenario();

        // dog: held-out positives r = 0.9, negatives 0 → threshold 0.45. Evaluation: 3 TP (0.9), 1 FN (0.1), 1 FP (0.8).
        // Ranking: T T T F T F… → AP = (1 + 1 + 1 + 4/5) / 4 = 0.95. P = R = F1 = 0.75.
        var dog = scenario.Concept(
            "Dogs", "dog", heldOutPositive: 0.9, evaluation: [(true, 0.9), (true, 0.9), (true, 0.9), (true, 0.1), (false, 0.8)], ms: 3.0);

        // cat: held-out positives r = 0.6 → threshold 0.3. Evaluation: 1 TP (0.6), 3 FP (0.7). AP = 1/4.
        // P = 0.25, R = 1, F1 = 0.4.
        var cat = scenario.Concept(
            "cat", "cat", heldOutPositive: 0.6, evaluation: [(true, 0.6), (false, 0.7), (false, 0.7), (false, 0.7)], ms: 5.0);

        // bird: only held-out clips carry the label → mapped but left out of the averages.
        var bird = scenario.Concept("birds", "bird", heldOutPositive: 0.5, evaluation: [(false, 0.9)], ms: null);
        var unmapped = scenario.Concept("spaceship", null, heldOutPositive: 0, evaluation: [], ms: 1.0);

        var result = new InterpretabilityBenchmark().Evaluate("AR&D", [dog, cat, bird, unmapped], scenario.Labels());

        result.Concepts[0].Threshold.Should().BeApproximately(0.45, 1e-12);
        result.Concepts[1].Threshold.Should().BeApproximately(0.3, 1e-12);
        result.Concepts[0].AveragePrecision.Should().BeApproximately(0.95, 1e-12);
        result.Concepts[1].AveragePrecision.Should().BeApproximately(0.25, 1e-12);
        (result.Concepts[0].TruePositives, result.Concepts[0].FalsePositives, result.Concepts[0].FalseNegatives).Should().Be((3, 1, 1));
        (result.Concepts[1].TruePositives, result.Concepts[1].FalsePositives, result.Concepts[1].FalseNegatives).Should().Be((1, 3, 0));

        // Micro: TP 4, FP 4, FN 1 → P 0.5, R 0.8, F1 8/13. Macro: P 0.5, R 0.875, F1 0.575.
        result.Micro.Precision.Should().BeApproximately(0.5, 1e-12);
        result.Micro.Recall.Should().BeApproximately(0.8, 1e-12);
        result.Micro.F1.Should().BeApproximately(8.0 / 13, 1e-12);
        result.Macro.Precision.Should().BeApproximately(0.5, 1e-12);
        result.Macro.Recall.Should().BeApproximately(0.875, 1e-12);
        result.Macro.F1.Should().BeApproximately(0.575, 1e-12);
        result.MeanAveragePrecision.Should().BeApproximately(0.6, 1e-12);
        result.MeanMonosemanticity.Should().BeApproximately(3.0, 1e-12);
        result.ConceptCount.Should().Be(4);
        result.MappedConceptCount.Should().Be(3);
        result.EvaluatedConceptCount.Should().Be(2);
        result.UnmappedConcepts.Should().Equal("spaceship");
        result.ConceptsWithoutPositives.Should().Equal("birds");
        (result.HeldOutClipCount + result.EvaluationClipCount).Should().Be(scenario.ClipCount);
    }

    [Fact]
    public void AlignedScoreColumnsGiveTheSameResultAsDictionaries()
    {
        var scenario = new Scenario();
        var dog = scenario.Concept("Dogs", "dog", 0.9, [(true, 0.9), (true, 0.9), (true, 0.9), (true, 0.1), (false, 0.8)], 3.0);
        var labels = scenario.Labels();
        var clipIds = dog.Representativeness.Keys.Order(StringComparer.Ordinal).ToList();
        var index = ClipScoreColumn.IndexOf(clipIds);
        var column = new ClipScoreColumn(index, [.. clipIds.Select(c => (float)dog.Representativeness[c])]);
        var reports = new List<int>();
        var aligned = new InterpretabilityBenchmark().Evaluate("m", [dog with { Representativeness = column }], labels, new SynchronousProgress(reports));
        var reference = new InterpretabilityBenchmark().Evaluate("m", [dog], labels);
        aligned.Concepts[0].Should().BeEquivalentTo(reference.Concepts[0], o => o.Excluding(c => c.Threshold));
        aligned.Concepts[0].Threshold.Should().BeApproximately(reference.Concepts[0].Threshold, 1e-6);
        reports.Should().Equal(1);
        FluentActions.Invoking(() => ClipScoreColumn.IndexOf(["a", "b", "a"])).Should().Throw<ArgumentException>().WithMessage("*'a' occurs twice*");
    }

    [Fact]
    public void MissingOrNonFiniteRepresentativenessIsRejectedByName()
    {
        var labels = new ClipLabelSet([new("a", ["Dog"]), new("b", ["Cat"]), new("c", ["Dog"]), new("d", []), new("e", []), new("f", [])]);
        var concept = new BenchmarkConcept("dog", new Dictionary<string, double> { ["a"] = 1 });
        FluentActions.Invoking(() => new InterpretabilityBenchmark(new() { HeldOutFraction = 0.5 }).Evaluate("m", [concept], labels))
            .Should().Throw<ArgumentException>().WithMessage("*Concept 'dog' has no representativeness for labelled clip*");
        var nan = new BenchmarkConcept("dog", labels.ClipIds.ToDictionary(c => c, _ => double.NaN));
        FluentActions.Invoking(() => new InterpretabilityBenchmark(new() { HeldOutFraction = 0.5 }).Evaluate("m", [nan], labels))
            .Should().Throw<ArgumentException>().WithMessage("*Concept 'dog' has representativeness NaN*");
    }

    [Fact]
    public void TablePrintsTheTable1LayoutInCanonicalOrder()
    {
        var scenario = new Scenario();
        var dog = scenario.Concept("dog", "dog", 0.9, [(true, 0.9), (true, 0.9), (true, 0.9), (true, 0.1), (false, 0.8)], 3.0);
        var cat = scenario.Concept("cat", "cat", 0.6, [(true, 0.6), (false, 0.7), (false, 0.7), (false, 0.7)], 5.0);
        var labels = scenario.Labels();
        var benchmark = new InterpretabilityBenchmark();
        var ard = benchmark.Evaluate("AR&D (mean × coverage)", [dog, cat], labels);
        var raw = benchmark.Evaluate("raw neurons", [cat], labels);

        var table = new BenchmarkTable().Add(BenchmarkMethod.Ard, ard).Add(BenchmarkMethod.RawNeurons, raw);
        table.ToText().Should().Be(
            "method                    MS     P     R    F1   mAP\n"
            + "----------------------------------------------------\n"
            + "raw neurons             5.00  0.25  1.00  0.40  0.25\n"
            + "AR&D (mean × coverage)  4.00  0.50  0.88  0.58  0.60\n");
        table.ToMarkdown().Should().Be(
            "| method | MS | P | R | F1 | mAP |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: |\n"
            + "| raw neurons | 5.00 | 0.25 | 1.00 | 0.40 | 0.25 |\n"
            + "| AR&D (mean × coverage) | 4.00 | 0.50 | 0.88 | 0.58 | 0.60 |\n");
        new BenchmarkTable(BenchmarkAveraging.Micro).Add(BenchmarkMethod.Ard, ard).ToMarkdown()
            .Should().Contain("| AR&D (mean × coverage) | 4.00 | 0.50 | 0.80 | 0.62 | 0.60 |");
    }

    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }

    /// <summary>
    /// Builds labelled clips around the real hash split: held-out clips and evaluation clips are known in advance, so
    /// each concept's scores can be placed on the side they are meant for.
    /// </summary>
    private sealed class Scenario
    {
        private readonly List<string> _heldOut;
        private readonly List<string> _evaluation;
        private readonly Dictionary<string, List<string>> _labels = [];
        private int _nextHeldOut;
        private int _nextEvaluation;

        public Scenario()
        {
            var ids = Enumerable.Range(0, 60).Select(i => $"clip{i:D3}").ToList();
            _heldOut = [.. ids.Where(id => HeldOutClipSplit.IsHeldOut(id, 0.3))];
            _evaluation = [.. ids.Where(id => !HeldOutClipSplit.IsHeldOut(id, 0.3))];
            _heldOut.Count.Should().BeGreaterThanOrEqualTo(6);
            _evaluation.Count.Should().BeGreaterThanOrEqualTo(15);
            foreach (var id in ids)
            {
                _labels[id] = [];
            }
        }

        public int ClipCount => _labels.Count;

        public ClipLabelSet Labels() => new(_labels.Select(p => new KeyValuePair<string, IEnumerable<string>>(p.Key, p.Value)));

        /// <summary>
        /// A concept whose label sits on two fresh held-out clips (r = heldOutPositive) and on the evaluation clips
        /// given as (positive, r); every other clip gets r = 0.
        /// </summary>
        public BenchmarkConcept Concept(string name, string? label, double heldOutPositive, (bool Positive, double R)[] evaluation, double? ms)
        {
            var r = _labels.Keys.ToDictionary(c => c, _ => 0.0);
            if (label is not null)
            {
                for (int i = 0; i < 2; i++)
                {
                    var clip = _heldOut[_nextHeldOut++];
                    _labels[clip].Add(label);
                    r[clip] = heldOutPositive;
                }
            }

            foreach (var (positive, value) in evaluation)
            {
                var clip = _evaluation[_nextEvaluation++];
                if (positive)
                {
                    _labels[clip].Add(label!);
                }

                r[clip] = value;
            }

            return new BenchmarkConcept(name, r, ms);
        }
    }
}
