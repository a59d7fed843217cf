using System.Text.RegularExpressions;
using ArdMl.Demo;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Cli;

/// <summary>
/// `ard discover` as a new user meets it on a small corpus, with stdout piped: inputs checked before extraction,
/// warnings for unknown and unlabelled clips, a message naming the flag that fixes an empty result and no empty run
/// folder; the suggested flag works; the saved model can refer to its ONNX file by path and SHA-256; report and eval
/// refuse inputs that would give empty or meaningless output.
/// </summary>
public sealed partial class DiscoverGuidanceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-guidance-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_bad_labels_header_is_refused_before_extraction_and_leaves_no_run_folder()
    {
        var corpus = Corpus(4);
        var labels = Path.Combine(_folder, "bad-labels.csv");
        File.WriteAllText(labels, "file,label\ndemo-00000.wav,tone\n");
        var run = Path.Combine(_folder, "run");

        var discover = ArdProcess.Run(null, "discover", "-d", DemoDescription(), "-a", corpus, "--labels", labels, "-o", run);

        discover.ExitCode.Should().Be(1, discover.All);
        discover.Error.Should().Contain(labels).And.Contain("expected the header row 'clip,text'").And.Contain("found 'file,label'");
        discover.Output.Should().NotContain("extract activations", "the labels are checked before the model runs");
        Directory.Exists(run).Should().BeFalse();
    }

    [Fact]
    public void Out_of_range_values_name_the_flag_at_parse_time()
    {
        var discover = ArdProcess.Run(null, "discover", "-d", DemoDescription(), "-a", _folder, "-o", Path.Combine(_folder, "run"), "--k", "0");

        discover.ExitCode.Should().NotBe(0);
        discover.All.Should().Contain("--k must be at least 1 (got 0)").And.NotContain("(Parameter").And.NotContain("Actual value");
    }

    [Fact]
    public void A_small_corpus_gets_warnings_and_the_flag_that_finds_concepts_and_the_model_can_refer_to_its_onnx_file()
    {
        var corpus = Corpus(12);
        var labels = Path.Combine(_folder, "partial-labels.csv");
        File.WriteAllLines(labels, [.. File.ReadAllLines(Path.Combine(_folder, "corpus", DemoCorpusGenerator.LabelsFile)).Take(5), "ghost.wav,tone"]);
        var run = Path.Combine(_folder, "run");
        var description = CopyOfDemoModel();

        var empty = ArdProcess.Run(null, "discover", "-d", description, "-a", corpus, "--labels", labels, "-o", run, "--steps", "50");

        empty.ExitCode.Should().Be(1, empty.All);
        empty.Error.Should().Contain("warning: 1 clip(s) in the labels file").And.Contain("'ghost.wav'")
            .And.Contain("warning: 8 of 12 corpus clip(s) have no labels");
        empty.Error.Should().Contain("No concept found").And.Contain("--latents").And.NotContain("MinimumMonosemanticity").And.NotContain("LatentCount");
        empty.Output.Should().NotContain("\r", "piped progress is printed as full lines").And.Contain("train SAE: 50/50 (100%)");
        Directory.Exists(run).Should().BeFalse("a failed discovery leaves no empty run folder");

        var latents = LatentsAdvice().Match(empty.Error).Groups[1].Value;
        var found = ArdProcess.Run(null, "discover", "-d", description, "-a", corpus, "--labels", Path.Combine(_folder, "corpus", DemoCorpusGenerator.LabelsFile),
            "-o", run, "--steps", "50", "--latents", latents, "--model-reference", "path");
        found.ExitCode.Should().Be(0, found.All);
        File.Exists(Path.Combine(run, "model.zip")).Should().BeTrue();
        new FileInfo(Path.Combine(run, "model.zip")).Length.Should().BeLessThan(new FileInfo(Path.ChangeExtension(description, ".onnx")).Length,
            "with --model-reference path the zip holds the model's path and SHA-256, not the model");

        var scores = Path.Combine(_folder, "scores.csv");
        ArdProcess.Run(null, "apply", "--model", Path.Combine(run, "model.zip"), "-a", corpus, "-o", scores).ExitCode.Should().Be(0);
        var onnx = Path.ChangeExtension(description, ".onnx");
        File.AppendAllText(onnx, "changed");
        var changed = ArdProcess.Run(null, "apply", "--model", Path.Combine(run, "model.zip"), "-a", corpus, "-o", scores);
        changed.ExitCode.Should().Be(1);
        changed.Error.Should().Contain(Path.Combine(run, "model.zip")).And.Contain(onnx).And.Contain("SHA-256");
        File.Delete(onnx);
        var missing = ArdProcess.Run(null, "apply", "--model", Path.Combine(run, "model.zip"), "-a", corpus, "-o", scores);
        missing.ExitCode.Should().Be(1);
        missing.Error.Should().Contain(onnx).And.Contain("does not exist");

        var otherScores = Path.Combine(_folder, "other-scores.csv");
        File.WriteAllText(otherScores, "clip,dog,cat\ndemo-00000.wav,1,2\n");
        var report = ArdProcess.Run(null, "report", "--run", run, "--scores", otherScores);
        report.ExitCode.Should().Be(1);
        report.Error.Should().Contain(otherScores).And.Contain("another run's");
        var wrongAudio = ArdProcess.Run(null, "report", "--run", run, "--audio", _folder + "/nowhere-" + Guid.NewGuid().ToString("N")[..6]);
        wrongAudio.ExitCode.Should().Be(1);
        var emptyAudio = Directory.CreateDirectory(Path.Combine(_folder, "other-audio")).FullName;
        File.Copy(Path.Combine(corpus, "demo-00000.wav"), Path.Combine(emptyAudio, "unrelated.wav"));
        var unrelated = ArdProcess.Run(null, "report", "--run", run, "--audio", emptyAudio);
        unrelated.ExitCode.Should().Be(1);
        unrelated.Error.Should().Contain(emptyAudio).And.Contain("holds none of the");

        var eval = ArdProcess.Run(null, "eval", "--run", run, "--labels", Path.Combine(_folder, "corpus", DemoCorpusGenerator.CaptionsFile));
        eval.ExitCode.Should().Be(1, "labels that match no concept give an empty table");
        eval.Error.Should().Contain("the table is empty");
    }

    [GeneratedRegex(@"--latents (\d+)")]
    private static partial Regex LatentsAdvice();

    private string Corpus(int clips)
    {
        var corpus = Path.Combine(_folder, "corpus");
        DemoCorpusGenerator.Write(corpus, new DemoCorpusOptions { ClipCount = clips });
        return Path.Combine(corpus, DemoCorpusGenerator.ClipsFolder);
    }

    private string CopyOfDemoModel()
    {
        var models = Directory.CreateDirectory(Path.Combine(_folder, "models")).FullName;
        foreach (var file in new[] { "demo-sound-events.json", "demo-sound-events.onnx" })
        {
            File.Copy(Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", file), Path.Combine(models, file));
        }

        return Path.Combine(models, "demo-sound-events.json");
    }

    private static string DemoDescription() => Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", "demo-sound-events.json");
}
