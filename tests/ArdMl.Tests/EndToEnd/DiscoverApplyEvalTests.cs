using System.Globalization;
using ArdMl.Concepts;
using ArdMl.Demo;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.EndToEnd;

/// <summary>`ard discover` → `ard apply` → `ard eval` on a small generated demo corpus with the committed demo model.</summary>
public sealed class DiscoverApplyEvalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DiscoverWritesTheRunApplyReproducesItsScoresAndEvalPrintsFiveMethods()
    {
        var corpus = Path.Combine(_folder, "corpus");
        DemoCorpusGenerator.Write(corpus, new DemoCorpusOptions { ClipCount = 80 });
        var clips = Path.Combine(corpus, DemoCorpusGenerator.ClipsFolder);
        File.WriteAllBytes(Path.Combine(clips, "zz-broken.wav"), [82, 73, 70, 70, 1, 2, 3]);
        var run = Path.Combine(_folder, "run");
        var labels = Path.Combine(corpus, DemoCorpusGenerator.LabelsFile);
        var description = Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", "demo-sound-events.json");

        var discover = RunArd("discover", "--model-description", description, "--audio", clips, "--labels", labels,
            "--captions", Path.Combine(corpus, DemoCorpusGenerator.CaptionsFile), "--out", run, "--steps", "150", "--batch", "512", "--k", "4");
        discover.ExitCode.Should().Be(0, discover.Output);
        discover.Output.Should().Contain("80 of 81 clips").And.Contain("skipped zz-broken.wav");
        foreach (var file in new[] { "model.zip", "concepts.json", "concept-scores.csv", "clip-statistics.idv", "run.json" })
        {
            File.Exists(Path.Combine(run, file)).Should().BeTrue(file);
        }

        var manifest = DiscoveryManifest.Load(run);
        manifest.ClipsUsed.Should().Be(80);
        manifest.LatentCount.Should().Be(4 * 128);
        manifest.NamingSource.Should().Be("labels");
        manifest.SkippedClips.Should().ContainSingle().Which.Clip.Should().Be("zz-broken.wav");
        var dictionary = ConceptDictionaryJson.Load(Path.Combine(run, "concepts.json"));
        dictionary.Concepts.Should().NotBeEmpty();

        var (header, rows) = ReadCsv(Path.Combine(run, "concept-scores.csv"));
        header[0].Should().Be("clip");
        header.Skip(1).Should().Equal(ConceptScoreCsv.UniqueNames(dictionary.ConceptNames)).And.OnlyHaveUniqueItems();
        rows.Keys.Should().BeEquivalentTo(Directory.GetFiles(clips, "demo-*.wav").Select(Path.GetFileName));
        rows.Values.Should().OnlyContain(r => r.Length == dictionary.Concepts.Count);
        rows.Values.SelectMany(r => r).Should().Contain(v => v > 0);

        var applied = Path.Combine(_folder, "applied.csv");
        var apply = RunArd("apply", "--model", Path.Combine(run, "model.zip"), "--audio", clips, "--out", applied);
        apply.ExitCode.Should().Be(0, apply.Output);
        apply.Output.Should().Contain("skipped zz-broken.wav").And.Contain("Scored 80 clips");
        var (appliedHeader, appliedRows) = ReadCsv(applied);
        appliedHeader.Should().Equal(header);
        appliedRows.Keys.Should().BeEquivalentTo(rows.Keys);
        foreach (var (clip, scores) in rows)
        {
            appliedRows[clip].Should().Equal(scores, (a, b) => Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(b)), clip);
        }

        var eval = RunArd("eval", "--run", run, "--labels", labels);
        eval.ExitCode.Should().Be(0, eval.Output);
        foreach (var method in new[] { "raw neurons", "random clips", "mean activation only", "coverage only", "AR&D (mean x coverage)" })
        {
            eval.Output.Split('\n').Should().Contain(line => line.StartsWith(method, StringComparison.Ordinal), method);
        }

        File.ReadAllText(Path.Combine(run, "eval.md")).Should().Contain("| AR&D (mean x coverage) |");
        File.ReadAllText(Path.Combine(run, "eval.json")).Should().Contain("\"meanAveragePrecision\"");
        eval.Output.Should().Contain("probe (full layer)").And.Contain("mAP/probe").And.Contain("hash of their id");

        // Group-disjoint roles: the last digit of the clip number as the group gives 10 folds.
        var grouped = RunArd("eval", "--run", run, "--labels", labels, "--group-by", "^demo-\\d*(\\d)\\.wav$");
        grouped.ExitCode.Should().Be(0, grouped.Output);
        grouped.Output.Should().Contain("(10 folds").And.Contain("AR&D (mean x coverage)");
        File.ReadAllText(Path.Combine(run, "eval.json")).Should().Contain("\"version\": 2").And.Contain("\"fold\": \"9\"");
    }

    [Fact]
    public void EvalOfAFolderWithoutARunSaysWhatIsMissing()
    {
        var labels = Path.Combine(_folder, "labels.csv");
        File.WriteAllText(labels, "clip,text\na.wav,dog\n");
        var eval = RunArd("eval", "--run", _folder, "--labels", labels);
        eval.ExitCode.Should().Be(1);
        eval.Output.Should().Contain("run.json is missing");
    }

    [Fact]
    public void DemoRunFindsTheCommittedModelDescriptionNextToTheExecutable()
    {
        // The build copies the committed model into the output folder, so ard demo run works from any folder.
        var found = ArdMl.Demo.DemoModelPackage.FindAbove(ArdMl.Cli.Commands.DemoRunCommand.DemoDescription);
        found.Should().NotBeNull();
        Path.GetFullPath(found!).Should().Be(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "models", "demo", "demo-sound-events.json")));
        File.ReadAllText(found!).Should().Be(File.ReadAllText(Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", "demo-sound-events.json")));
        ArdMl.Demo.DemoModelPackage.FindAbove("models/demo/no-such-model.json").Should().BeNull();
    }

    [Fact]
    public void RepeatedConceptNamesAreNumbered()
    {
        ConceptScoreCsv.UniqueNames(["tone", "chord", "tone", "tone", "tone (2)"]).Should().Equal("tone", "chord", "tone (2)", "tone (3)", "tone (2) (2)");
    }

    private static (string[] Header, Dictionary<string, float[]> Rows) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = SplitCsv(lines[0]);
        var rows = lines.Skip(1).Select(SplitCsv).ToDictionary(
            f => f[0], f => f.Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray(), StringComparer.Ordinal);
        return (header, rows);
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    private static (int ExitCode, string Output) RunArd(params string[] arguments)
    {
        var outcome = ArdProcess.Run(null, arguments);
        return (outcome.ExitCode, outcome.All);
    }
}
