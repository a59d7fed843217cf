using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet.Internals;

/// <summary>
/// Registers a transformer with ML.NET's model loader: implement it on the transformer class (explicitly), and
/// <see cref="ArdModelLoader"/> finds it by its <see cref="Format"/>'s model signature when
/// <c>mlContext.Model.Load</c> meets a model saved by it. No attribute or catalog registration is needed.
/// </summary>
/// <typeparam name="TSelf">The transformer class.</typeparam>
internal interface IArdLoadableTransformer<TSelf>
    where TSelf : class, ITransformer
{
    /// <summary>The saved format (model signature and versions).</summary>
    static abstract ModelFormat Format { get; }

    /// <summary>Rebuilds the transformer from the state it saved; <paramref name="reader"/>.Version tells which format.</summary>
    static abstract TSelf Load(IHostEnvironment environment, ModelStateReader reader);
}
