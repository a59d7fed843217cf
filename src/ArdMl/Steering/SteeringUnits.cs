namespace ArdMl.Steering;

/// <summary>
/// The unit of a <see cref="SteeringEdit"/>'s strength for <see cref="SteeringMode.Set"/> and <see cref="SteeringMode.Add"/>.
/// Strengths are made comparable between a latent and a raw neuron by measuring them along each one's direction in
/// activation space: a latent's direction is its decoder vector w = Decode(e_k) − Decode(0), a neuron's is the unit
/// vector e_j (norm 1). In <see cref="ActivationNorm"/> units, "add s" moves every chosen frame by exactly s in L2 norm
/// for both, and "set s" makes the direction's contribution to the frame a vector of norm s (code value s / ‖w‖).
/// </summary>
public enum SteeringUnits
{
    /// <summary>Raw code values (for a neuron: raw activation values).</summary>
    CodeValue,

    /// <summary>L2 norm in activation space: a latent's code value times ‖w‖.</summary>
    ActivationNorm,
}
