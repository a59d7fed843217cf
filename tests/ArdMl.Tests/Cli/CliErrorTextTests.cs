using ArdMl.Cli.Commands;
using ArdMl.Concepts;

namespace ArdMl.Tests.Cli;

/// <summary>Library errors printed in the CLI's words: flags instead of option properties, no .NET argument suffixes.</summary>
public sealed class CliErrorTextTests
{
    [Fact]
    public void Argument_suffixes_are_dropped_and_properties_become_flags()
    {
        var text = CliErrorText.Of(new ArgumentOutOfRangeException("MaxConcepts", 0, "MaxConcepts must be at least 1 (or null for all)."));

        text.Should().Be("--max-concepts must be at least 1 (or null for all).");
    }

    [Fact]
    public void Longer_property_names_are_replaced_before_their_prefixes()
    {
        CliErrorText.Of(new ArgumentOutOfRangeException("MaxClipsPerSet", -1, "MaxClipsPerSet must not be negative."))
            .Should().Be("--clips-per-set must not be negative.");
        CliErrorText.Of(new InvalidOperationException("The checkpoint in 'c' is at step 900, beyond this run's 100 steps. Raise Steps to continue it, or use another checkpoint directory or Resume = false."))
            .Should().Be("The checkpoint in 'c' is at step 900, beyond this run's 100 steps. Raise --steps to continue it, or use another checkpoint directory or --fresh.");
    }

    [Fact]
    public void No_concept_on_a_small_corpus_points_at_latents()
    {
        var text = CliErrorText.Of(new NoConceptFoundException(20, 384, 280, 103, 1, 4, 1.0));

        text.Should().Contain("--latents").And.Contain("20 clips").And.Contain("fewer than the 6 clips").And.NotContain("LatentCount").And.NotContain("MinimumMonosemanticity");
    }

    [Fact]
    public void No_concept_among_scored_latents_points_at_the_minimum_monosemanticity()
    {
        var text = CliErrorText.Of(new NoConceptFoundException(500, 64, 2, 4, 58, 4, 1.5));

        text.Should().Contain("Lower --min-monosemanticity (now 1.5)").And.NotContain("try --latents");
    }
}
