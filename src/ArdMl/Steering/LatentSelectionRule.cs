namespace ArdMl.Steering;

/// <summary>How a label picks the latent to steer (the raw neuron it picks is the same under both rules).</summary>
public enum LatentSelectionRule
{
    /// <summary>
    /// The latent whose clip-mean activation differs most between the label's clips and the others
    /// (<see cref="LabelContrastLatentSelector.Rank(IReadOnlyList{ValueTuple{float[], bool}}, ISteerableAutoencoder)"/>).
    /// </summary>
    Contrast,

    /// <summary>
    /// The latent whose unit decoder direction carries the largest share of the label's mean tap difference
    /// (<see cref="LabelContrastLatentSelector.RankByProjection"/>): the neuron's rule applied to latent directions.
    /// </summary>
    Projection,
}
