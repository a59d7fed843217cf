using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Base of ArdMl's estimators: <see cref="Fit"/> first checks the input against <see cref="GetOutputSchema"/>, so a
/// missing or mistyped column fails before any training work with an error that names it.
/// </summary>
/// <typeparam name="TTransformer">The transformer produced by Fit.</typeparam>
public abstract class ArdEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    private protected ArdEstimator(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Host = environment.Register(name);
    }

    /// <summary>The host for logging and for the transformer's environment.</summary>
    private protected IHost Host { get; }

    /// <summary>Checks the input schema, then fits.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(ArdSchemaShapes.FromSchema(input.Schema));
        return FitCore(input);
    }

    /// <summary>
    /// The schema shape after fitting and transforming; throws <see cref="ArgumentOutOfRangeException"/> naming the
    /// input column when it is missing or not of the expected type.
    /// </summary>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>Fits on input whose schema has been checked.</summary>
    private protected abstract TTransformer FitCore(IDataView input);
}
