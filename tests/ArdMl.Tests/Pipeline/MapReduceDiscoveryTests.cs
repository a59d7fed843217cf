using System.Globalization;
using ArdMl.Activations;
using ArdMl.Benchmarks.KnownAnswer;
using ArdMl.Concepts;
using ArdMl.MlNet;
using ArdMl.Pipeline;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.Data;
using Microsoft.ML;

namespace ArdMl.Tests.Pipeline;

/// <summary>
/// Discovery as map-reduce over parts (ard train → ard encode per part → ard rank) gives the run folder of one
/// <c>ard discover --activations</c> process on the same clips, and the merge refuses parts that do not belong together.
/// </summary>
public sealed class MapReduceDiscoveryTests : IDisposable
{
    private const int PartCount = 3;
    private static readonly string[] SaeSettings = ["--latents", "48", "--k", "6", "--steps", "40", "--batch", "256"];
    private readonly string _folder = Directory.CreateTempSubdirectory("ardml-mapreduce-").FullName;

    public MapReduceDiscoveryTests()
    {
        var corpus = KnownAnswerGenerator.Write(_folder, new KnownAnswerOptions { Width = 12, ConceptCount = 36, ClipCount = 60 });
        WriteParts(corpus, Shards, "planted");
    }

    private string Shards => Path.Combine(_folder, "parts");

    private string Labels => Path.Combine(_folder, KnownAnswerCorpus.LabelsFile);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("allframes")]
    [InlineData("activeframes")]
    public void TrainEncodeRankWritesTheRunOfOneDiscoverProcess(string meanMode)
    {
        var single = Path.Combine(_folder, "single");
        Ard(["discover", "--activations", Shards, "--labels", Labels, "--out", single, "--mean-mode", meanMode, .. SaeSettings]);
        var sae = Train("sae", seed: 0);
        var encoded = Path.Combine(_folder, "encoded");
        foreach (var part in PartNames())
        {
            Ard("encode", "--activations", Path.Combine(Shards, part), "--sae", sae, "--out", Path.Combine(encoded, part), "--mean-mode", meanMode);
        }

        var merged = Path.Combine(_folder, "merged");
        var rank = Ard("rank", "--parts", encoded, "--sae", sae, "--labels", Labels, "--out", merged);
        rank.Should().Contain("60 of 60 clips");

        foreach (var file in new[] { DiscoveryManifest.ConceptsFileName, DiscoveryManifest.ScoresFileName })
        {
            File.ReadAllBytes(Path.Combine(merged, file)).Should().Equal(File.ReadAllBytes(Path.Combine(single, file)), $"{file} of the merge must equal the one-process run's");
        }

        // clip-statistics.idv: the same values (ML.NET's binary saver may order its column blocks differently per write).
        var ml = new MLContext(seed: 0);
        var (oneStore, mergedStore) = (ClipStatisticsStore.Load(ml, Path.Combine(single, DiscoveryManifest.StatisticsFileName)),
            ClipStatisticsStore.Load(ml, Path.Combine(merged, DiscoveryManifest.StatisticsFileName)));
        mergedStore.Should().BeEquivalentTo(oneStore, o => o.WithStrictOrdering());
        mergedStore.ClipIds.Should().HaveCount(60);

        var (one, reduced) = (DiscoveryManifest.Load(single), DiscoveryManifest.Load(merged));
        reduced.Should().BeEquivalentTo(one, o => o.Excluding(m => m.CreatedUtc).Excluding(m => m.StageSeconds));
        reduced.ConceptsFound.Should().BeGreaterThan(0, "the comparison must be about a run that found concepts");
        reduced.MeanMode.Should().Be(meanMode == "activeframes" ? ClipMeanMode.ActiveFrames : ClipMeanMode.AllFrames);

        // The model.zip of the merge scores shards as the one-process model does.
        ModelScores(merged).Should().BeEquivalentTo(ModelScores(single), o => o.WithStrictOrdering());
    }

    [Fact]
    public void AFailedPartIsRerunAloneAndTheMergeRefusesItUntilThen()
    {
        var sae = Train("sae", seed: 0);
        var encoded = Path.Combine(_folder, "encoded");
        var parts = PartNames().ToList();
        foreach (var part in parts)
        {
            Encode(part, sae, encoded);
        }

        var reference = Rank(encoded, sae, "reference");

        // A part whose encode died before part.json: the merge names it; rerunning that part alone completes the set.
        File.Delete(Path.Combine(encoded, parts[1], EncodedPartManifest.FileName));
        var unfinished = () => Rank(encoded, sae, "refused");
        unfinished.Should().Throw<InvalidDataException>().WithMessage($"*Unfinished encode*{parts[1]}*rerun 'ard encode'*");
        Encode(parts[1], sae, encoded);
        var rerun = Rank(encoded, sae, "rerun");
        File.ReadAllBytes(Path.Combine(rerun, DiscoveryManifest.ConceptsFileName)).Should().Equal(File.ReadAllBytes(Path.Combine(reference, DiscoveryManifest.ConceptsFileName)));

        // A missing part of the split is named.
        var missing = () => DiscoveryPipeline.RankParts(new PartRankingOptions
        {
            Parts = [Path.Combine(encoded, parts[0]), Path.Combine(encoded, parts[2])],
            SaeDirectory = sae,
            OutputDirectory = Path.Combine(_folder, "missing"),
            LabelsPath = Labels,
        });
        missing.Should().Throw<InvalidDataException>().WithMessage($"*missing*{parts[1]}*");
    }

    [Fact]
    public void TheMergeRefusesPartsOfAnotherMeanMode()
    {
        var sae = Train("sae", seed: 0);
        var encoded = Path.Combine(_folder, "encoded");
        var parts = PartNames().ToList();
        Encode(parts[0], sae, encoded);
        Encode(parts[1], sae, encoded, ClipMeanMode.ActiveFrames);
        Encode(parts[2], sae, encoded);

        var refused = () => Rank(encoded, sae, "refused");
        refused.Should().Throw<InvalidDataException>().WithMessage($"*different mean modes*{parts[1]}*active frames*--mean-mode*");
    }

    [Fact]
    public void TheMergeRefusesPartsOfAnotherSae()
    {
        var sae = Train("sae", seed: 0);
        var other = Train("other-sae", seed: 7);
        var encoded = Path.Combine(_folder, "encoded");
        var parts = PartNames().ToList();
        Encode(parts[0], sae, encoded);
        Encode(parts[1], other, encoded);
        Encode(parts[2], sae, encoded);

        var refused = () => Rank(encoded, sae, "refused");
        refused.Should().Throw<InvalidDataException>().WithMessage($"*{parts[1]}*encoded with the SAE*{other}*not with*{sae}*");
    }

    [Theory]
    [InlineData("planted-elsewhere", null)]
    [InlineData("planted", "another.model")]
    public void TheMergeRefusesPartsOfAnotherTapOrModel(string tap, string? model)
    {
        var sae = Train("sae", seed: 0);
        var encoded = Path.Combine(_folder, "encoded");
        var parts = PartNames().ToList();
        Encode(parts[0], sae, encoded);
        Encode(parts[2], sae, encoded);

        // Part 1 of the same split, but recorded from another tap or model.
        var foreign = Path.Combine(_folder, "foreign");
        WriteParts(KnownAnswerGenerator.Generate(new KnownAnswerOptions { Width = 12, ConceptCount = 36, ClipCount = 60 }), foreign, tap, model);
        DiscoveryPipeline.EncodePart(new PartEncodingOptions
        {
            ActivationsDirectory = Path.Combine(foreign, parts[1]),
            SaeDirectory = sae,
            OutputDirectory = Path.Combine(encoded, parts[1]),
        });

        var refused = () => Rank(encoded, sae, "refused");
        refused.Should().Throw<InvalidDataException>().WithMessage($"*different activations*{parts[1]}*{model ?? KnownAnswerCorpus.ModelName} / {tap}*");
    }

    [Fact]
    public void EncodeRefusesAnSaeOfAnotherWidth()
    {
        var narrow = Path.Combine(_folder, "narrow");
        var corpus = KnownAnswerGenerator.Write(narrow, new KnownAnswerOptions { Width = 8, ConceptCount = 16, ClipCount = 20 });
        _ = corpus;
        var sae = Train("sae", seed: 0);
        var encode = () => DiscoveryPipeline.EncodePart(new PartEncodingOptions
        {
            ActivationsDirectory = Path.Combine(narrow, KnownAnswerCorpus.ActivationsFolder),
            SaeDirectory = sae,
            OutputDirectory = Path.Combine(_folder, "encoded-narrow"),
        });
        encode.Should().Throw<InvalidDataException>().WithMessage("*reads frames of width 12*width 8*");
    }

    private float[][] ModelScores(string run)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(Path.Combine(run, DiscoveryManifest.ModelFileName), out _);
        var scored = model.Transform(ml.Data.LoadFromActivationShards(Shards));
        return [.. scored.GetColumn<float[]>(scored.Schema["ConceptScores"])];
    }

    private static IEnumerable<string> PartNames() =>
        Enumerable.Range(0, PartCount).Select(i => string.Create(CultureInfo.InvariantCulture, $"part-{i}-of-{PartCount}"));

    /// <summary>Writes the corpus as the parts of <c>ard extract --shard i/n</c> would: clip k in part k mod n.</summary>
    private static void WriteParts(KnownAnswerCorpus corpus, string folder, string tap, string? model = null)
    {
        for (var part = 0; part < PartCount; part++)
        {
            using var writer = ActivationShardWriter.Open(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"part-{part}-of-{PartCount}")), new ActivationShardManifest
            {
                Width = corpus.Options.Width,
                DataType = ActivationShardDataType.Float32,
                Model = model ?? KnownAnswerCorpus.ModelName,
                Tap = tap,
                Metadata = new Dictionary<string, string> { ["shard"] = string.Create(CultureInfo.InvariantCulture, $"{part}/{PartCount}") },
            });
            for (var k = part; k < corpus.Clips.Count; k += PartCount)
            {
                writer.Write(corpus.Clips[k].ClipId, corpus.Clips[k].Activations, corpus.Clips[k].FrameCount);
            }
        }
    }

    private string Train(string name, ulong seed)
    {
        var folder = Path.Combine(_folder, name);
        Ard(["train", "--activations", Shards, "--out", folder, "--seed", seed.ToString(CultureInfo.InvariantCulture), .. SaeSettings]);
        return folder;
    }

    private void Encode(string part, string sae, string encoded, ClipMeanMode meanMode = ClipMeanMode.AllFrames) => DiscoveryPipeline.EncodePart(new PartEncodingOptions
    {
        ActivationsDirectory = Path.Combine(Shards, part),
        SaeDirectory = sae,
        OutputDirectory = Path.Combine(encoded, part),
        MeanMode = meanMode,
    });

    private string Rank(string encoded, string sae, string name) => DiscoveryPipeline.RankParts(new PartRankingOptions
    {
        Parts = [encoded],
        SaeDirectory = sae,
        OutputDirectory = Path.Combine(_folder, name),
        LabelsPath = Labels,
    }).RunDirectory;

    private static string Ard(params string[] arguments)
    {
        var outcome = ArdProcess.Run(null, arguments);
        outcome.ExitCode.Should().Be(0, $"'ard {string.Join(' ', arguments)}' must succeed:\n{outcome.All}");
        return outcome.All;
    }
}
