namespace ArdMl.Steering;

/// <summary>An edit of tap activations (row-major frames × <see cref="Width"/>) applied during a forward pass.</summary>
public interface IActivationIntervention
{
    /// <summary>Activation width d the intervention expects.</summary>
    int Width { get; }

    /// <summary>A short human-readable description ("latent 12 add 20 (activation norm)").</summary>
    string Description { get; }

    /// <summary>Returns the edited activations (a new array of the same length).</summary>
    /// <param name="frames">One forward pass's tap activations, row-major frames × d.</param>
    /// <param name="firstFrame">The clip-level index of the first of these frames (models that run a clip in several
    /// forward passes, such as Silero's chunks, number frames across the whole clip as
    /// <see cref="ISteeringModel.CollectTapFrames"/> does), so that <see cref="SteeringEdit.Frames"/> are clip frames.</param>
    float[] Apply(ReadOnlySpan<float> frames, int firstFrame = 0);
}
