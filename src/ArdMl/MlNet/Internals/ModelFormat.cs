using Microsoft.ML;

namespace ArdMl.MlNet.Internals;

/// <summary>
/// Identity and version range of one transformer's saved format. Every ArdMl transformer is saved under the loader
/// signature <see cref="ArdModelLoader.LoaderSignature"/> and told apart by <see cref="ModelSignature"/>.
/// Versions follow ML.NET's convention (0x00010001, 0x00010002, ...): <see cref="CurrentVersion"/> is what this build
/// writes, <see cref="ReadableByVersion"/> the oldest reader able to read it, and <see cref="OldestReadableVersion"/>
/// the oldest saved format this build still reads. Document each version in a comment block beside the format,
/// as ML.NET's PCA transformer does.
/// </summary>
/// <param name="ModelSignature">Exactly eight characters (ASCII), unique among ArdMl transformers, e.g. "ARDAUDIO".</param>
/// <param name="CurrentVersion">The version written by this build.</param>
/// <param name="ReadableByVersion">The oldest reader version able to read what this build writes.</param>
/// <param name="OldestReadableVersion">The oldest written version this build can read back.</param>
/// <param name="DisplayName">The transformer's name in error messages.</param>
internal sealed record ModelFormat(string ModelSignature, uint CurrentVersion, uint ReadableByVersion, uint OldestReadableVersion, string DisplayName)
{
    /// <summary>ML.NET's version record for this format.</summary>
    internal VersionInfo ToVersionInfo()
    {
        if (ModelSignature.Length != 8 || ModelSignature.Any(c => c > 0x7f))
        {
            throw new InvalidOperationException($"The model signature '{ModelSignature}' of {DisplayName} must be exactly eight ASCII characters.");
        }

        return new VersionInfo(ModelSignature, CurrentVersion, ReadableByVersion, OldestReadableVersion,
            typeof(ModelFormat).Assembly.FullName, ArdModelLoader.LoaderSignature);
    }

    /// <summary>The 64-bit form of <see cref="ModelSignature"/> stored in a model header.</summary>
    internal ulong PackedSignature => ToVersionInfo().ModelSignature;
}
