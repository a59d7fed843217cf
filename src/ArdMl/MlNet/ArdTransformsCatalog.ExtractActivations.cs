namespace ArdMl.MlNet;

/// <summary>Activation extraction entries of the ArdMl catalog.</summary>
public sealed partial class ArdTransformsCatalog
{
    /// <summary>
    /// Runs the ONNX audio model described by <paramref name="modelDescriptionPath"/> (see models/README.md) over each
    /// row's mono samples and outputs one tap's activations as a frames × d Single vector
    /// (Vector&lt;Single&gt;(0, d)) in <paramref name="outputColumnName"/> and the frame count in "FrameCount".
    /// The model bytes are embedded when the model is saved.
    /// </summary>
    /// <param name="modelDescriptionPath">The model description JSON.</param>
    /// <param name="tap">The value to extract; null uses the description's first default tap.</param>
    /// <param name="outputColumnName">The activations column. Default "Activations".</param>
    /// <param name="inputColumnName">The samples column (at the description's sample rate). Default "Samples".</param>
    public ExtractActivationsEstimator ExtractActivations(string modelDescriptionPath, string? tap = null, string outputColumnName = "Activations", string inputColumnName = "Samples") =>
        new(Environment, new ExtractActivationsOptions { ModelDescriptionPath = modelDescriptionPath, Tap = tap, OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>Extracts activations with all options (resampling, batching, silence masking, model storage...).</summary>
    /// <param name="options">The options; validated here.</param>
    public ExtractActivationsEstimator ExtractActivations(ExtractActivationsOptions options) => new(Environment, options);
}
