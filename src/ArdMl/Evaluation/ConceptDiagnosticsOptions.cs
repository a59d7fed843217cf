namespace ArdMl.Evaluation;

/// <summary>Options of <see cref="ConceptDiagnostics"/>; every default is documented here.</summary>
public sealed record ConceptDiagnosticsOptions
{
    /// <summary>Latents per sparse probe: each probe sees only the k latents most associated with its label. Default 1, 2, 5, 10, 20.</summary>
    public IReadOnlyList<int> SparseProbeSizes { get; init; } = [1, 2, 5, 10, 20];

    /// <summary>
    /// Erasure stops once the probe's average precision is at most chance (the evaluation clips' share of the label)
    /// plus this margin. Default 0.05.
    /// </summary>
    public double ErasureMargin { get; init; } = 0.05;

    /// <summary>
    /// Top clips per concept for group concentration: the discovery clips with the largest r = μ·c of its latent.
    /// Default 20 (the run's H set of 4 clips is too small to tell a concentrated latent from chance).
    /// </summary>
    public int TopClipCount { get; init; } = 20;

    /// <summary>Random draws of the expected concentration (top clips drawn from the label's clips regardless of group). Default 1000.</summary>
    public int ChanceDraws { get; init; } = 1000;

    /// <summary>Seed of those draws. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>L2 weight of the probes (ML.NET's LbfgsLogisticRegression default 1).</summary>
    public float L2Regularization { get; init; } = 1f;

    /// <summary>L1 weight of the probes (ML.NET's LbfgsLogisticRegression default 1).</summary>
    public float L1Regularization { get; init; } = 1f;

    /// <summary>Most L-BFGS iterations per probe. Default 100 (ML.NET's default has no limit; a probe's ranking settles long before).</summary>
    public int ProbeIterations { get; init; } = 100;

    /// <summary>L-BFGS convergence tolerance of the probes. Default 1e-4 (ML.NET's default 1e-7).</summary>
    public float ProbeTolerance { get; init; } = 1e-4f;

    internal void Validate()
    {
        if (SparseProbeSizes.Count == 0 || SparseProbeSizes.Any(k => k < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(SparseProbeSizes), "Sparse probe sizes must be one or more positive latent counts.");
        }

        if (!(ErasureMargin >= 0 && ErasureMargin < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ErasureMargin), ErasureMargin, "The erasure margin must lie in [0, 1).");
        }

        if (ProbeIterations < 1 || !(ProbeTolerance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ProbeIterations), "ProbeIterations and ProbeTolerance must be positive.");
        }

        if (TopClipCount < 1 || ChanceDraws < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TopClipCount), "TopClipCount and ChanceDraws must be positive.");
        }
    }
}
