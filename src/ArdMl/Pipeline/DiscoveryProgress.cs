namespace ArdMl.Pipeline;

/// <summary>The stages of a discovery run, in order.</summary>
public enum DiscoveryStage
{
    /// <summary>Decoding clips and recording the tap's activations.</summary>
    ExtractActivations,

    /// <summary>Training the Top-K sparse autoencoder.</summary>
    TrainSparseAutoencoder,

    /// <summary>Ranking clips per latent, scoring monosemanticity and naming concepts.</summary>
    RankConcepts,

    /// <summary>Scoring every clip and writing the run folder.</summary>
    WriteOutputs,
}

/// <summary>Progress of one stage: <paramref name="Done"/> of <paramref name="Total"/> units, with a short detail line.</summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Done">Units done (clips, steps or concepts).</param>
/// <param name="Total">Units in the stage.</param>
/// <param name="Detail">What is happening, e.g. the current FVU.</param>
public readonly record struct DiscoveryProgress(DiscoveryStage Stage, long Done, long Total, string Detail);
