using ArdMl.Examples.ClassifyByConcept;
using ArdMl.Examples.DiscoverConcepts;
using ArdMl.Examples.SteerConcept;
using Xunit.Abstractions;

namespace ArdMl.Tests.Examples;

/// <summary>
/// Runs each example's entry logic in-process with small demo corpora (the committed demo model, no shared assets)
/// and checks what it prints.
/// </summary>
public sealed class ExampleProgramsTests(ITestOutputHelper output)
{
    [Fact]
    public void DiscoverConcepts_fits_saves_loads_and_prints_named_concepts()
    {
        var text = new StringWriter();
        var zip = Path.Combine(Path.GetTempPath(), $"ardml-discover-test-{Guid.NewGuid():N}.zip");
        try
        {
            DiscoverConceptsExample.Run(["--clips", "40", "--latents", "32", "--out", zip], text).Should().Be(0);
            output.WriteLine(text.ToString());
            File.Exists(zip).Should().BeTrue();
            var lines = text.ToString().Split('\n');
            lines.Should().Contain(l => l.StartsWith("Loaded it back: ", StringComparison.Ordinal) && !l.StartsWith("Loaded it back: 0 ", StringComparison.Ordinal));
            lines.Where(l => l.TrimStart().StartsWith("latent ", StringComparison.Ordinal)).Should().NotBeEmpty()
                .And.OnlyContain(l => l.Contains('"'));
            lines.SkipWhile(l => !l.StartsWith("Top concepts", StringComparison.Ordinal)).Skip(1).Count(l => l.Contains("demo-", StringComparison.Ordinal))
                .Should().Be(5);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public void ClassifyByConcept_beats_the_majority_class_on_held_out_clips()
    {
        var text = new StringWriter();
        ClassifyByConceptExample.Run(["--clips", "120"], text).Should().Be(0);
        output.WriteLine(text.ToString());
        var line = text.ToString().Split('\n').Single(l => l.StartsWith("Held-out accuracy: ", StringComparison.Ordinal));
        var accuracy = ParsePercent(line, "Held-out accuracy: ");
        var majority = ParsePercent(line, "majority class alone: ");
        accuracy.Should().BeGreaterThan(majority);
    }

    [Fact]
    public void SteerConcept_moves_the_label_probability_and_reports_sensitivities()
    {
        var text = new StringWriter();
        SteerConceptExample.Run(["--clips", "60"], text).Should().Be(0);
        output.WriteLine(text.ToString());
        var lines = text.ToString().Split('\n');
        var moves = lines.Where(l => l.StartsWith("  demo-", StringComparison.Ordinal) && l.Contains(" -> ", StringComparison.Ordinal)).ToList();
        moves.Should().NotBeEmpty();
        moves.Select(l => l.Split(": ")[1].Split(" -> ").Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .Average(p => p[1] - p[0]).Should().BePositive("adding the label's latent should raise the label's probability on average");
        lines.Should().ContainSingle(l => l.StartsWith("Sensitivity ", StringComparison.Ordinal) && l.Contains("best neuron", StringComparison.Ordinal));
    }

    private static double ParsePercent(string line, string after)
    {
        var start = line.IndexOf(after, StringComparison.Ordinal) + after.Length;
        var end = line.IndexOf('%', start);
        return double.Parse(line[start..end].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
