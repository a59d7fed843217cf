namespace ArdMl.Steering;

/// <summary>A latent's steering sensitivity next to the best raw neuron's at equal strength.</summary>
/// <param name="Latent">The latent's sensitivity.</param>
/// <param name="BestNeuron">The best candidate neuron's sensitivity.</param>
/// <param name="BestNeuronIndex">That neuron's dimension.</param>
/// <param name="Candidates">Every candidate neuron's sensitivity, in candidate order (largest |w_j| first).</param>
public sealed record NeuronComparison(
    SteeringSensitivity Latent, SteeringSensitivity BestNeuron, int BestNeuronIndex, IReadOnlyList<(int Neuron, SteeringSensitivity Sensitivity)> Candidates);
