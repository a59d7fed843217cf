using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Loads audio clips into mono samples at one rate: from a text column of file paths or a vector-of-Byte column of
/// encoded files (WAV, FLAC, MP3, Ogg Vorbis) to a variable-length Single vector (default "Samples") and its length
/// (default "SampleCount"). Nothing is learned: Fit checks the schema and returns the transformer.
/// Create it with <c>mlContext.Transforms.Ard().LoadAudio(...)</c>.
/// </summary>
public sealed class LoadAudioEstimator : ArdEstimator<LoadAudioTransformer>
{
    private readonly LoadAudioOptions _options;

    internal LoadAudioEstimator(IHostEnvironment environment, LoadAudioOptions options)
        : base(environment, nameof(LoadAudioEstimator))
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>
    /// The input shape plus the samples and sample-count columns; throws <see cref="ArgumentOutOfRangeException"/>
    /// when the input column is missing or neither text nor a vector of Byte.
    /// </summary>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArdSchemaShapes.RequireColumn(inputSchema, _options.InputColumnName, LoadAudioTransformer.ExpectedInput,
            column => ArdSchemaShapes.IsScalarOf(column, TextDataViewType.Instance) || ArdSchemaShapes.IsVectorOf(column, NumberDataViewType.Byte));
        return ArdSchemaShapes.WithOutputs(inputSchema, LoadAudioTransformer.OutputColumnsFor(_options));
    }

    private protected override LoadAudioTransformer FitCore(IDataView input) => new(Host, _options);
}
