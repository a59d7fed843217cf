using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// The ArdMl transforms: <c>mlContext.Transforms.Ard().LoadAudio(...)</c>, and so on. Each area adds its entries
/// in its own file of this partial class (ArdTransformsCatalog.&lt;Area&gt;.cs).
/// </summary>
public sealed partial class ArdTransformsCatalog
{
    internal ArdTransformsCatalog(TransformsCatalog transforms)
    {
        Transforms = transforms;
        Environment = ArdEnvironment.Of(transforms);
    }

    /// <summary>The ML.NET transforms catalog this one extends.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>The environment (the MLContext) estimators are created in.</summary>
    internal IHostEnvironment Environment { get; }
}

/// <summary>Entry point of the ArdMl catalog on ML.NET's transforms catalog.</summary>
public static class ArdCatalogExtensions
{
    /// <summary>The ArdMl transforms (audio loading, activation extraction, sparse autoencoders, concepts).</summary>
    public static ArdTransformsCatalog Ard(this TransformsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ArdTransformsCatalog(catalog);
    }
}
