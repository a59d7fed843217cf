using Microsoft.ML;

namespace ArdMl.MlNet;

/// <summary>Loading activation shards through <c>mlContext.Data</c>.</summary>
public static class ActivationShardDataOperations
{
    /// <summary>
    /// An IDataView over an activation shard folder with the ExtractActivations schema ("ClipId", "Activations",
    /// "FrameCount"); see <see cref="ActivationShardDataView"/>.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="folder">A shard folder or a folder of part folders.</param>
    /// <param name="allowIncomplete">Accept folders whose writer did not complete.</param>
    public static ActivationShardDataView LoadFromActivationShards(this DataOperationsCatalog catalog, string folder, bool allowIncomplete = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ActivationShardDataView.Load(folder, allowIncomplete);
    }
}
