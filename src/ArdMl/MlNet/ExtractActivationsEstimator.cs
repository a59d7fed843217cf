using ArdMl.Activations;
using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Extracts one tap's activations of a described ONNX audio model from a samples column (Vector&lt;Single&gt;) into
/// "Activations" (Vector&lt;Single&gt;(0, d), frames × d row-major) and "FrameCount". Nothing is learned: the model
/// is loaded and checked (inputs, tap, width) when the estimator is created, and Fit checks the schema.
/// Create it with <c>mlContext.Transforms.Ard().ExtractActivations(...)</c>.
/// </summary>
public sealed class ExtractActivationsEstimator : ArdEstimator<ExtractActivationsTransformer>
{
    private readonly ExtractActivationsOptions _options;
    private readonly ActivationExtractor _extractor;
    private readonly string _modelPath;
    private readonly string? _melModelPath;

    internal ExtractActivationsEstimator(IHostEnvironment environment, ExtractActivationsOptions options)
        : base(environment, nameof(ExtractActivationsEstimator))
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
        var description = _options.ModelDescription!;
        _modelPath = description.ResolveModelPath(_options.ModelSearchRoots);
        _melModelPath = description.FrontEnd.Kind == FrontEndKind.MelThenWindows ? description.ResolveMelModelPath(_options.ModelSearchRoots) : null;
        var taps = _options.Tap is { Length: > 0 } tap ? [tap] : description.DefaultTaps.Take(1).ToArray();
        _extractor = ActivationExtractor.Create(description, taps, _options.ToExtractorOptions());
    }

    /// <summary>The tap extracted.</summary>
    public string Tap => _extractor.Taps[0];

    /// <summary>Features per frame (d) of the tap.</summary>
    public int Width => _extractor.WidthOf(Tap);

    /// <summary>
    /// The input shape plus the activations and frame-count columns; throws <see cref="ArgumentOutOfRangeException"/>
    /// when the samples column is missing or not a vector of Single.
    /// </summary>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArdSchemaShapes.RequireColumn(inputSchema, _options.InputColumnName, ExtractActivationsTransformer.ExpectedInput,
            column => ArdSchemaShapes.IsVectorOf(column, NumberDataViewType.Single));
        return ArdSchemaShapes.WithOutputs(inputSchema, ExtractActivationsTransformer.OutputColumnsFor(_options, Width));
    }

    // Each transformer owns its own sessions (it may be disposed), built from the bytes this estimator already read.
    private protected override ExtractActivationsTransformer FitCore(IDataView input) =>
        new(Host, _options, ActivationExtractor.CreateFromBytes(_extractor.Description, _extractor.ModelBytes, _extractor.MelModelBytes, [Tap], _options.ToExtractorOptions(), _modelPath, _melModelPath), _modelPath, _melModelPath);
}
