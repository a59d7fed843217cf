using System.Globalization;
using ArdMl.Benchmarks.Commands;
using ArdMl.Concepts;
using BenchmarkDotNet.Attributes;

namespace ArdMl.Benchmarks.Stages;

/// <summary>
/// <see cref="ConceptRanker"/> over generated per-clip statistics (m = 32,768 latents, p = 4, about 875 active latents per
/// clip, as <c>ard-bench concepts</c>): a fresh ranker, <see cref="ClipCount"/> clips added, ranking completed. Sparse
/// input with the duplicate-id check is the baseline; the dense case includes scattering each clip into a dense row.
/// </summary>
[MemoryDiagnoser]
public class ConceptRankingBenchmarks
{
    private const int Latents = 32_768;
    private const int Active = 1_000;
    private int[][] _indices = [];
    private float[][] _means = [];
    private float[][] _coverages = [];
    private string[] _ids = [];
    private readonly float[] _denseMean = new float[Latents];
    private readonly float[] _denseCoverage = new float[Latents];

    /// <summary>Clips added per invocation.</summary>
    [Params(2_000)]
    public int ClipCount { get; set; } = 2_000;

    [GlobalSetup]
    public void Setup()
    {
        var generator = new BenchConceptsCommand.SyntheticClipStatistics(Latents, Active);
        _indices = new int[ClipCount][];
        _means = new float[ClipCount][];
        _coverages = new float[ClipCount][];
        _ids = new string[ClipCount];
        var indices = new int[Active];
        var mean = new float[Active];
        var coverage = new float[Active];
        for (var i = 0; i < ClipCount; i++)
        {
            var n = generator.Fill(i, indices, mean, coverage);
            _indices[i] = indices[..n];
            _means[i] = mean[..n];
            _coverages[i] = coverage[..n];
            _ids[i] = string.Create(CultureInfo.InvariantCulture, $"clip-{i:D7}");
        }
    }

    [Benchmark(Baseline = true, Description = "sparse mean x coverage")]
    public object Sparse() => Rank(checkDuplicates: true);

    [Benchmark(Description = "sparse, no duplicate-id check")]
    public object SparseWithoutDuplicateCheck() => Rank(checkDuplicates: false);

    [Benchmark(Description = "dense (with the scatter)")]
    public object Dense()
    {
        var ranker = new ConceptRanker(Latents, new ConceptRankerOptions { ClipsPerSet = 4 });
        for (var i = 0; i < _ids.Length; i++)
        {
            var indices = _indices[i];
            for (var k = 0; k < indices.Length; k++)
            {
                _denseMean[indices[k]] = _means[i][k];
                _denseCoverage[indices[k]] = _coverages[i][k];
            }

            ranker.AddClip(_ids[i], _denseMean, _denseCoverage);
            for (var k = 0; k < indices.Length; k++)
            {
                _denseMean[indices[k]] = 0f;
                _denseCoverage[indices[k]] = 0f;
            }
        }

        return ranker.Complete();
    }

    private object Rank(bool checkDuplicates)
    {
        var ranker = new ConceptRanker(Latents, new ConceptRankerOptions { ClipsPerSet = 4, RejectDuplicateClipIds = checkDuplicates });
        for (var i = 0; i < _ids.Length; i++)
        {
            ranker.AddClip(_ids[i], _indices[i], _means[i], _coverages[i]);
        }

        return ranker.Complete();
    }
}
