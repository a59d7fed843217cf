namespace ArdMl.Tests.Infrastructure;

/// <summary>
/// Test classes that run CLI commands inside the test process. The commands draw live progress displays through
/// Spectre.Console's process-wide console, which refuses two at once ("interactive functions concurrently"), so these
/// classes share one collection and never run in parallel with each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessCliCollection
{
    public const string Name = "In-process CLI commands";
}
