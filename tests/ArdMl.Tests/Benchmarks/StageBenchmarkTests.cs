using ArdMl.Benchmarks.Stages;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace ArdMl.Tests.Benchmarks;

/// <summary>
/// The BenchmarkDotNet stage benchmarks stay runnable: one class run as a dry job (one invocation per case, no
/// warm-up) in this process. Timings are not checked: performance lives in the benchmarks, not in the tests.
/// </summary>
public sealed class StageBenchmarkTests
{
    [Fact]
    public void The_concept_ranking_benchmarks_run_as_a_dry_in_process_job()
    {
        var artifacts = Directory.CreateTempSubdirectory("ardml-benchmarkdotnet-");
        try
        {
            const string dryJob = "dry-in-process";
            var config = ManualConfig.CreateEmpty()
                .AddJob(Job.Dry.WithToolchain(InProcessNoEmitToolchain.DontLogOutput).WithId(dryJob))
                .AddLogger(NullLogger.Instance)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile)
                .WithArtifactsPath(artifacts.FullName);
            var info = BenchmarkConverter.TypeToBenchmarks(typeof(ConceptRankingBenchmarks), config);
            var dry = info.BenchmarksCases.Where(c => c.Job.Id == dryJob).ToArray();
            dry.Should().HaveCount(3, "three cases: sparse [Baseline], sparse without the duplicate check, dense");

            var summary = BenchmarkRunner.Run(new BenchmarkRunInfo(dry, info.Type, info.Config));

            summary.HasCriticalValidationErrors.Should().BeFalse(string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
            summary.Reports.Should().HaveCount(3).And.OnlyContain(r => r.Success);
        }
        finally
        {
            artifacts.Delete(recursive: true);
        }
    }
}
