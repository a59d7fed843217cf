using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.KnownAnswer;

/// <summary><c>ard discover --activations</c>: runs on shards, and refuses both or neither of --audio and --activations.</summary>
public sealed class DiscoverActivationsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-discover-activations-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DiscoverFromShardsWritesARunThatEvalReads()
    {
        KnownAnswerGenerator.Write(_folder, new KnownAnswerOptions { Width = 16, ConceptCount = 48, ClipCount = 60 });
        var run = Path.Combine(_folder, "run");
        var labels = Path.Combine(_folder, KnownAnswerCorpus.LabelsFile);
        var discover = RunArd("discover", "--activations", Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder), "--labels", labels,
            "--out", run, "--steps", "40", "--batch", "256");
        discover.ExitCode.Should().Be(0, discover.Output);
        discover.Output.Should().Contain("60 of 60 clips").And.Contain("'planted' (d = 16)");
        DiscoveryManifest.Load(run).AudioDirectory.Should().BeEmpty();

        var eval = RunArd("eval", "--run", run, "--labels", labels);
        eval.ExitCode.Should().Be(0, eval.Output);
        eval.Output.Should().Contain("AR&D (mean x coverage)").And.Contain("Why concepts fail").And.Contain("top-1");
    }

    [Theory]
    [InlineData(true, true, "exactly one of --audio")]
    [InlineData(false, false, "exactly one of --audio")]
    public void AudioAndActivationsAreMutuallyExclusive(bool audio, bool activations, string message)
    {
        var arguments = new List<string> { "discover", "--out", Path.Combine(_folder, "run") };
        if (audio)
        {
            arguments.AddRange(["--audio", _folder]);
        }

        if (activations)
        {
            arguments.AddRange(["--activations", _folder]);
        }

        var result = RunArd([.. arguments]);
        result.ExitCode.Should().NotBe(0);
        result.Output.Should().Contain(message);
    }

    [Fact]
    public void AudioWithoutAModelDescriptionIsRefused()
    {
        var result = RunArd("discover", "--audio", _folder, "--out", Path.Combine(_folder, "run"));
        result.ExitCode.Should().NotBe(0);
        result.Output.Should().Contain("--audio needs --model-description");
    }

    private static (int ExitCode, string Output) RunArd(params string[] arguments)
    {
        var outcome = ArdProcess.Run(null, arguments);
        return (outcome.ExitCode, outcome.All);
    }
}
