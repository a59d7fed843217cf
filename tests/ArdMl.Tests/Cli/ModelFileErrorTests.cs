using ArdMl.Demo;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Cli;

/// <summary>`ard apply` with a model file that cannot be one: the message names the file and what was expected, in the CLI's words.</summary>
public sealed class ModelFileErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-cli-model-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("absent.zip", null, "does not exist")]
    [InlineData("labels.csv", "clip,text\na.wav,dog\n", "is not a zip archive")]
    [InlineData("empty.zip", "", "is not a zip archive (the file is empty)")]
    public void ApplyNamesTheModelFileAndWhatWasExpected(string name, string? content, string problem)
    {
        DemoCorpusGenerator.Write(Path.Combine(_folder, "corpus"), new DemoCorpusOptions { ClipCount = 2 });
        var model = Path.Combine(_folder, name);
        if (content is not null)
        {
            File.WriteAllText(model, content);
        }

        var apply = ArdProcess.Run(null, "apply", "--model", model, "--audio", Path.Combine(_folder, "corpus", DemoCorpusGenerator.ClipsFolder), "--out", Path.Combine(_folder, "out.csv"));

        apply.ExitCode.Should().Be(1, apply.All);
        apply.Error.Should().Contain($"Model '{model}'").And.Contain(problem).And.Contain("model zip saved by 'ard discover'");
        apply.All.Should().NotContain("legacy").And.NotContain("Failed to open").And.NotContain("Exception");
        File.Exists(Path.Combine(_folder, "out.csv")).Should().BeFalse();
    }
}
