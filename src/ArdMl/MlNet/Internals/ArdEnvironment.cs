using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet.Internals;

/// <summary>Reaches the <see cref="IHostEnvironment"/> behind ML.NET catalogs (an internal interface of ML.NET).</summary>
internal static class ArdEnvironment
{
    /// <summary>The environment (the <see cref="MLContext"/>) that owns a catalog.</summary>
    public static IHostEnvironment Of(TransformsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ((IInternalCatalog)catalog).Environment;
    }
}
