using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

#pragma warning disable IDE0130 // The runtime looks the attribute up by this exact namespace and name.
namespace System.Runtime.CompilerServices;
#pragma warning restore IDE0130

/// <summary>
/// Tells the runtime to skip visibility checks from this assembly into the named one. Together with the publicized
/// compile-time references (src/ArdMl.BuildTools/build/MlNetPublicize.targets) it lets src/ArdMl/MlNet/Internals use
/// ML.NET's persistence internals (ModelSaveContext, ModelLoadContext, VersionInfo, LoadableClass) while the real
/// package assemblies load at run time.
/// </summary>
/// <param name="assemblyName">Simple name of the assembly whose internals are used.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    /// <summary>Simple name of the assembly whose internals are used.</summary>
    public string AssemblyName { get; } = assemblyName;
}
