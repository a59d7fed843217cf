namespace ArdMl.Steering;

/// <summary>
/// A model that runs a whole clip through a split ONNX graph, optionally editing the tap activations of every forward
/// pass, and returns the clip's output as one vector (for example per-chunk speech probabilities, or class logits).
/// </summary>
public interface ISteeringModel
{
    /// <summary>The tap's activation width d.</summary>
    int TapWidth { get; }

    /// <summary>A description of the output vector ("speech probability per 32 ms chunk").</summary>
    string OutputDescription { get; }

    /// <summary>Runs the clip (mono samples at the model's rate); <paramref name="intervention"/> null runs it unsteered.</summary>
    float[] Run(ReadOnlySpan<float> samples, IActivationIntervention? intervention);

    /// <summary>The tap activations of the unsteered run, row-major frames × <see cref="TapWidth"/> over the whole clip.</summary>
    float[] CollectTapFrames(ReadOnlySpan<float> samples);
}
