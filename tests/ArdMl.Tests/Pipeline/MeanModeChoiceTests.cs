using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Concepts;
using ArdMl.Evaluation;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Pipeline;

/// <summary>
/// A run left to choose what μ averages over (<see cref="SaeDiscoveryOptions.MeanMode"/> null) ranks and names the same
/// SAE's clips under both readings and keeps the one whose names hold better; eval makes the same choice per fold.
/// </summary>
public sealed class MeanModeChoiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-mean-mode-").FullName;

    public MeanModeChoiceTests() =>
        KnownAnswerGenerator.Write(_folder, new KnownAnswerOptions { Width = 16, ConceptCount = 24, ClipCount = 120 });

    private string Labels => Path.Combine(_folder, KnownAnswerCorpus.LabelsFile);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_run_left_to_choose_keeps_the_reading_whose_names_hold_better_and_is_that_reading_s_run()
    {
        var chosen = Discover("auto", null, Labels);
        var all = Discover("all", ClipMeanMode.AllFrames, Labels);
        var active = Discover("active", ClipMeanMode.ActiveFrames, Labels);

        var choice = chosen.Manifest.MeanModeChoice;
        choice.Should().NotBeNull("labels name the concepts, so the run chose");
        choice!.AllFrames.Should().NotBe(choice.ActiveFrames, "the planted brief loud distractors separate the readings");
        choice.AllFrames.Should().BeInRange(0, 1);
        choice.ActiveFrames.Should().BeInRange(0, 1);
        chosen.Manifest.MeanMode.Should().Be(choice.Chosen);

        var twin = choice.Chosen == ClipMeanMode.ActiveFrames ? active : all;
        foreach (var file in new[] { DiscoveryManifest.ConceptsFileName, DiscoveryManifest.ScoresFileName })
        {
            File.ReadAllText(Path.Combine(chosen.RunDirectory, file)).Should().Be(
                File.ReadAllText(Path.Combine(twin.RunDirectory, file)), $"{file}: the chosen run is the run of the reading it chose");
        }

        var reloaded = DiscoveryManifest.Load(chosen.RunDirectory).MeanModeChoice;
        reloaded.Should().Be(choice, "run.json keeps both criteria");
        DiscoveryManifest.Load(all.RunDirectory).MeanModeChoice.Should().BeNull("a given mode is not chosen");
    }

    [Fact]
    public void Without_texts_to_name_concepts_a_run_keeps_all_frames()
    {
        var run = Discover("unnamed", null, labels: null);

        run.Manifest.MeanMode.Should().Be(ClipMeanMode.AllFrames);
        run.Manifest.MeanModeChoice.Should().BeNull("the criterion is about names");
    }

    [Fact]
    public void Eval_of_a_run_that_chose_chooses_again_in_each_fold_on_its_discovery_clips()
    {
        var run = Discover("auto", null, Labels).RunDirectory;
        MethodComparisonResult Evaluate(ClipMeanMode? mode) =>
            MethodComparison.Run(run, Labels, new MethodComparisonOptions { MeanMode = mode, Diagnostics = null, IncludeProbe = false });

        var perFold = Evaluate(null);
        perFold.MeanModeChosenPerFold.Should().BeTrue();
        var fold = perFold.Rows.Single(r => r.Method == BenchmarkMethod.Ard).Folds.Single();
        fold.MeanModeChoice.Should().NotBeNull();
        fold.MeanMode.Should().Be(fold.MeanModeChoice!.Chosen);
        perFold.Protocol.Should().Contain("chosen in each fold on its discovery clips");

        var fixedMode = Evaluate(fold.MeanMode);
        fixedMode.MeanModeChosenPerFold.Should().BeFalse("a mode given to eval is used as given");
        foreach (var method in perFold.Rows.Select(r => r.Method))
        {
            perFold.Rows.Single(r => r.Method == method).Result.MeanAveragePrecision.Should().Be(
                fixedMode.Rows.Single(r => r.Method == method).Result.MeanAveragePrecision,
                $"{method}: every method of the fold uses the reading the fold chose");
        }

    }

    [Fact]
    public void Eval_can_choose_in_each_fold_for_a_run_of_a_fixed_reading_and_refuses_both_a_fixed_reading_and_a_choice()
    {
        var run = Discover("all", ClipMeanMode.AllFrames, Labels).RunDirectory;
        MethodComparisonResult Evaluate(MethodComparisonOptions options) => MethodComparison.Run(run, Labels, options);

        Evaluate(new MethodComparisonOptions { Diagnostics = null, IncludeProbe = false }).MeanModeChosenPerFold.Should().BeFalse("the run's reading was given");
        var chosen = Evaluate(new MethodComparisonOptions { ChooseMeanMode = true, Diagnostics = null, IncludeProbe = false });
        chosen.MeanModeChosenPerFold.Should().BeTrue();
        chosen.Rows.Single(r => r.Method == BenchmarkMethod.Ard).Folds.Single().MeanModeChoice.Should().NotBeNull();
        var both = () => Evaluate(new MethodComparisonOptions { ChooseMeanMode = true, MeanMode = ClipMeanMode.ActiveFrames, Diagnostics = null, IncludeProbe = false });
        both.Should().Throw<ArgumentException>().WithMessage("*fix the mean mode or let each fold choose*");
    }

    [Fact]
    public void The_command_line_takes_auto_where_a_run_can_choose_and_refuses_it_where_it_cannot()
    {
        var shards = Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder);
        var run = Path.Combine(_folder, "cli-auto");
        string[] sae = ["--latents", "32", "--k", "4", "--steps", "60", "--batch", "256"];
        var (code, text) = Ard(["discover", "--activations", shards, "--labels", Labels, "--mean-mode", "auto", "--out", run, .. sae]);
        code.Should().Be(0, text);
        text.Should().Contain("chosen on these clips");
        DiscoveryManifest.Load(run).MeanModeChoice.Should().NotBeNull();

        (code, text) = Ard("eval", "--run", run, "--labels", Labels, "--no-diagnostics", "--mean-mode", "auto");
        code.Should().Be(0, text);
        text.Should().Contain("chosen in each fold on its discovery clips");

        (code, text) = Ard("eval", "--run", run, "--labels", Labels, "--no-diagnostics", "--mean-mode", "allframes");
        code.Should().Be(0, text);
        text.Should().NotContain("chosen in each fold");

        (code, text) = Ard("encode", "--activations", shards, "--sae", run, "--out", Path.Combine(_folder, "part"), "--mean-mode", "auto");
        code.Should().NotBe(0);
        text.Should().Contain("auto cannot be chosen here");
    }

    private static (int Code, string Text) Ard(params string[] arguments)
    {
        var outcome = ArdProcess.Run(null, arguments);
        return (outcome.ExitCode, outcome.All);
    }

    private DiscoveryResult Discover(string name, ClipMeanMode? mode, string? labels) => DiscoveryPipeline.DiscoverFromActivations(new ActivationDiscoveryOptions
    {
        ActivationsDirectory = Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder),
        OutputDirectory = Path.Combine(_folder, name),
        LabelsPath = labels,
        LatentCount = 32,
        K = 4,
        Steps = 200,
        BatchSize = 256,
        MeanMode = mode,
    });
}
