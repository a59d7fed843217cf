namespace ArdMl.Steering;

/// <summary>An edit of tap activations (row-major frames × <see cref="Width"/>) applied during a forward pass.</summary>
public interface IActivationIntervention
{
    /// <summary>Activation width d the intervention expects.</summary>
    int Width { get; }

    /// <summary>A short human-readable description ("latent 12 add 20 (activation norm)").</summary>
    string Description { get; }

    /// <summary>Returns the edited activations (a new array of the same length).</summary>
    float[] Apply(ReadOnlySpan<float> frames);
}
