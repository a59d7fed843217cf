namespace ArdMl.Steering;

/// <summary>What a steering edit does to the chosen latent (or neuron) at the chosen frames.</summary>
public enum SteeringMode
{
    /// <summary>Replace the value by the strength.</summary>
    Set,

    /// <summary>Add the strength to the value.</summary>
    Add,

    /// <summary>Multiply the value by the strength (unitless).</summary>
    Scale,
}
