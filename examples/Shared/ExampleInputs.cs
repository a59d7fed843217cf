using ArdMl.Demo;

namespace ArdMl.Examples;

/// <summary>Finds the committed demo model and writes the generated demo corpus.</summary>
internal static class ExampleInputs
{
    /// <summary>The committed demo model's description (models/demo/demo-sound-events.json), found above the working or build folder.</summary>
    public static string DemoModelDescription() =>
        DemoModelPackage.FindCommittedDescription()
        ?? throw new FileNotFoundException(
            $"{DemoModelPackage.CommittedDescriptionPath} was not found above '{AppContext.BaseDirectory}' or '{Directory.GetCurrentDirectory()}'; "
            + "run the example from the repository or pass --model <description.json>.");

    /// <summary>Writes <paramref name="clipCount"/> clips of the deterministic demo corpus into a fresh temporary folder.</summary>
    public static DemoCorpus WriteDemoCorpus(int clipCount)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ardml-example-{Guid.NewGuid():N}");
        DemoCorpusGenerator.Write(folder, new DemoCorpusOptions { ClipCount = clipCount });
        return DemoCorpus.Load(folder);
    }

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return null;
        }

        return i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value.");
    }
}
