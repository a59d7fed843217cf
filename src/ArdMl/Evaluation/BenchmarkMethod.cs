namespace ArdMl.Evaluation;

/// <summary>The rows of the paper's Table 1, in their printed order.</summary>
public enum BenchmarkMethod
{
    /// <summary>Raw neurons of the layer (polysemantic baseline).</summary>
    RawNeurons,

    /// <summary>SAE latents described from random representative clips.</summary>
    RandomRepresentatives,

    /// <summary>SAE latents ranked by mean activation only.</summary>
    MeanActivationOnly,

    /// <summary>SAE latents ranked by coverage only.</summary>
    CoverageOnly,

    /// <summary>AR&amp;D: SAE latents ranked by mean activation × coverage.</summary>
    Ard,

    /// <summary>
    /// Not a concept method: a multiclass probe on the clips' mean-pooled tap activations, the reference for how much
    /// of the labels the layer holds (the probe ceiling).
    /// </summary>
    Probe,
}
