using System.Security.Cryptography;
using ArdMl.Activations;
using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.MlNet;
using Microsoft.ML;

namespace ArdMl.Tests.KnownAnswer;

public sealed class KnownAnswerGeneratorTests : IDisposable
{
    private static readonly KnownAnswerOptions Small = new() { ClipCount = 120 };

    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-known-answer-gen-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheSameSeedWritesTheSameBytesAndAnotherSeedDoesNot()
    {
        string Hash(string name, ulong seed)
        {
            var folder = Path.Combine(_folder, name);
            KnownAnswerGenerator.Write(folder, Small with { Seed = seed });
            var files = Directory.GetFiles(Path.Combine(folder, KnownAnswerCorpus.ActivationsFolder), "shard-*.bin")
                .Order(StringComparer.Ordinal)
                .Append(Path.Combine(folder, KnownAnswerCorpus.ActivationsFolder, ActivationShardManifest.IndexFileName))
                .Append(Path.Combine(folder, KnownAnswerCorpus.LabelsFile))
                .Append(Path.Combine(folder, KnownAnswerCorpus.CaptionsFile));
            return Convert.ToHexString(SHA256.HashData(files.SelectMany(File.ReadAllBytes).ToArray()));
        }

        var first = Hash("a", 7);
        Hash("b", 7).Should().Be(first);
        Hash("c", 8).Should().NotBe(first);
    }

    [Fact]
    public void PlantedStructureFollowsTheOptions()
    {
        var corpus = KnownAnswerGenerator.Generate(Small);
        var options = corpus.Options;
        corpus.Directions.Should().HaveCount(options.ConceptCount);
        options.ConceptCount.Should().BeGreaterThanOrEqualTo(3 * options.Width, "superposition: several times more concepts than dimensions");
        corpus.Directions.Should().OnlyContain(v => Math.Abs(v.Sum(x => x * x) - 1) < 1e-4);
        foreach (var clip in corpus.Clips)
        {
            clip.FrameCount.Should().BeInRange(options.MinFrames, options.MaxFrames);
            clip.Activations.Should().HaveCount(clip.FrameCount * options.Width);
            clip.Planted.Select(p => p.Concept).Should().OnlyHaveUniqueItems();
            var sustained = clip.Planted.Where(p => p.Role == PlantedRole.Sustained).ToList();
            sustained.Count.Should().BeInRange(options.MinLabelsPerClip, options.MaxLabelsPerClip);
            clip.Labels.Should().Equal(sustained.Select(p => KnownAnswerCorpus.ConceptName(p.Concept)));
            foreach (var brief in clip.Planted.Where(p => p.Role == PlantedRole.BriefLoud))
            {
                brief.Frames.Count.Should().BeInRange(1, 3);
                brief.Frames.Should().BeInAscendingOrder().And.Equal(Enumerable.Range(brief.Frames[0], brief.Frames.Count));
            }
        }

        double Coverage(PlantedRole role) => corpus.Clips.SelectMany(c => c.Planted.Where(p => p.Role == role).Select(p => (double)p.Frames.Count / c.FrameCount)).Average();
        Coverage(PlantedRole.Sustained).Should().BeGreaterThanOrEqualTo(0.85);
        Coverage(PlantedRole.FaintBed).Should().BeGreaterThanOrEqualTo(0.95);
        corpus.Clips.Count(c => c.Planted.Any(p => p.Role == PlantedRole.FaintBed)).Should().BeGreaterThan(corpus.Clips.Count / 2, "the faint bed lies under many clips");
    }

    [Fact]
    public void EachRoleLiesAlongItsDirectionAtItsMagnitude()
    {
        var corpus = KnownAnswerGenerator.Generate(Small);
        int d = corpus.Options.Width;
        double MeanProjection(PlantedRole role) => corpus.Clips
            .SelectMany(c => c.Planted.Where(p => p.Role == role).SelectMany(p => p.Frames.Select(f =>
                (double)c.Activations.AsSpan(f * d, d).ToArray().Zip(corpus.Directions[p.Concept]).Sum(pair => pair.First * pair.Second))))
            .Average();
        MeanProjection(PlantedRole.Sustained).Should().BeApproximately(corpus.Options.SustainedMagnitude, 0.1);
        MeanProjection(PlantedRole.BriefLoud).Should().BeApproximately(corpus.Options.BriefMagnitude, 1.0);
        MeanProjection(PlantedRole.FaintBed).Should().BeApproximately(corpus.Options.FaintMagnitude, 0.1);
    }

    [Fact]
    public void TheShardsReadBackThroughMlNetWithLabelsAndPlantedMetadata()
    {
        var corpus = KnownAnswerGenerator.Write(_folder, Small);
        var view = new MLContext().Data.LoadFromActivationShards(Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder));
        view.Manifest.Width.Should().Be(corpus.Options.Width);
        view.GetRowCount().Should().Be(corpus.Clips.Count);
        var reader = ActivationShardReader.Open(Path.Combine(_folder, KnownAnswerCorpus.ActivationsFolder));
        var first = reader.ReadClips().First();
        first.ClipId.Should().Be(corpus.Clips[0].ClipId);
        first.Data.Should().Equal(corpus.Clips[0].Activations);
        var labels = File.ReadAllLines(Path.Combine(_folder, KnownAnswerCorpus.LabelsFile));
        labels[0].Should().Be("clip,text");
        labels.Length.Should().Be(1 + corpus.Clips.Sum(c => c.Labels.Count()));
        labels.Should().Contain($"{corpus.Clips[0].ClipId},{corpus.Clips[0].Labels.First()}");
    }
}
