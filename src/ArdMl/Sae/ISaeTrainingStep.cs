using static TorchSharp.torch;

namespace ArdMl.Sae;

/// <summary>One SAE training step implementation (fused CPU kernels or device-generic tensor operations).</summary>
internal interface ISaeTrainingStep : IDisposable
{
    /// <summary>The [B, d] contiguous float32 CPU batch the caller fills before <see cref="Run"/>.</summary>
    Tensor Input { get; }

    /// <summary>After <see cref="Run"/>: how many frames of the batch each latent fired on (value &gt; 0).</summary>
    int[] FiredCounts { get; }

    /// <summary>Runs one step; <paramref name="adamStep"/> is 1-based, <paramref name="deadLatents"/> are the AuxK candidates.</summary>
    StepFigures Run(long adamStep, float learningRate, ReadOnlySpan<int> deadLatents);

    /// <summary>
    /// Adds the Adam state as checkpoint tensors named <c>adam.&lt;parameter&gt;.m/v</c>; whatever must stay alive until
    /// the sources are written goes into <paramref name="owned"/>.
    /// </summary>
    void AddOptimizerState(List<SafeTensorSource> sources, List<IDisposable> owned);

    /// <summary>Copies the parameters the step trains into the SAE (before checkpoints and at the end).</summary>
    void StoreParametersToModel();

    /// <summary>Copies the SAE's parameters into the step (after initialisation or a resume).</summary>
    void LoadParametersFromModel();

    /// <summary>Restores the Adam state written by <see cref="AddOptimizerState"/>.</summary>
    void LoadOptimizerState(IReadOnlyDictionary<string, SafeTensor> tensors);
}
