using System.Collections.Frozen;
using System.Reflection;
using ArdMl.MlNet.Internals;
using Microsoft.ML;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(ITransformer), typeof(ArdModelLoader), null, typeof(SignatureLoadModel),
    "ArdMl transformer", ArdModelLoader.LoaderSignature)]

namespace ArdMl.MlNet.Internals;

/// <summary>
/// The one entry point through which ML.NET loads every ArdMl transformer. Each transformer saves with loader
/// signature <see cref="LoaderSignature"/> and its own eight-character model signature; ML.NET finds this class
/// through the assembly-level <c>LoadableClass</c> attribute (it loads the assembly named in the model header) and
/// calls <see cref="Create"/>, which dispatches on the model signature to the transformer class that implements
/// <see cref="IArdLoadableTransformer{TSelf}"/> (in ArdMl, or in a loaded friend assembly such as the tests).
/// </summary>
internal static class ArdModelLoader
{
    /// <summary>The loader signature written into the header of every saved ArdMl transformer.</summary>
    public const string LoaderSignature = "ArdMlTransformer";

    private static readonly Lazy<FrozenDictionary<ulong, Registration>> Registrations = new(FindRegistrations);

    /// <summary>The registered formats, for diagnostics and tests.</summary>
    internal static IReadOnlyCollection<ModelFormat> Formats => [.. Registrations.Value.Values.Select(r => r.Format())];

    /// <summary>Saves a transformer: header, version record, then its state through <paramref name="saveState"/>.</summary>
    internal static void Save(ModelSaveContext context, ModelFormat format, Action<ModelStateWriter> saveState)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckAtModel();
        context.SetVersionInfo(format.ToVersionInfo());
        saveState(new ModelStateWriter(context));
    }

    /// <summary>Called by ML.NET's component catalog (signature <c>SignatureLoadModel</c>).</summary>
    private static ITransformer Create(IHostEnvironment environment, ModelLoadContext context)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(context);
        context.CheckAtModel();
        var signature = context.Header.ModelSignature;
        if (!Registrations.Value.TryGetValue(signature, out var registration))
        {
            throw new InvalidDataException(
                $"The model entry '{context.Directory}' names ArdMl model signature '{Describe(signature)}', which this build of ArdMl does not know " +
                $"(known: {string.Join(", ", Registrations.Value.Values.Select(r => r.Format().ModelSignature))}). It was saved by a different version of ArdMl.");
        }

        var format = registration.Format();
        var written = context.Header.ModelVerWritten;
        var readable = context.Header.ModelVerReadable;
        if (readable > format.CurrentVersion)
        {
            throw new InvalidDataException(
                $"The saved {format.DisplayName} uses format 0x{written:X8}, which needs a reader of version 0x{readable:X8} or later; this build of ArdMl reads up to 0x{format.CurrentVersion:X8}. Update ArdMl.");
        }

        if (written < format.OldestReadableVersion)
        {
            throw new InvalidDataException(
                $"The saved {format.DisplayName} uses format 0x{written:X8}, older than the oldest this build reads (0x{format.OldestReadableVersion:X8}). Re-fit and save it again.");
        }

        context.CheckAtModel(format.ToVersionInfo());
        var reader = new ModelStateReader(context, format);
        var transformer = registration.Load(environment, reader);
        reader.CheckFullyRead();
        return transformer;
    }

    private static FrozenDictionary<ulong, Registration> FindRegistrations()
    {
        var load = typeof(ArdModelLoader).GetMethod(nameof(LoadAs), BindingFlags.NonPublic | BindingFlags.Static)!;
        var format = typeof(ArdModelLoader).GetMethod(nameof(FormatOf), BindingFlags.NonPublic | BindingFlags.Static)!;
        var registrations = new Dictionary<ulong, Registration>();
        foreach (var type in CandidateAssemblies().SelectMany(LoadableTypes))
        {
            var implementsLoadable = type.GetInterfaces().Any(i =>
                i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IArdLoadableTransformer<>) && i.GetGenericArguments()[0] == type);
            if (!implementsLoadable)
            {
                continue;
            }

            var registration = new Registration(
                format.MakeGenericMethod(type).CreateDelegate<Func<ModelFormat>>(),
                load.MakeGenericMethod(type).CreateDelegate<Func<IHostEnvironment, ModelStateReader, ITransformer>>());
            var initial = registration.Format();
            if (!registrations.TryAdd(initial.PackedSignature, registration))
            {
                throw new InvalidOperationException(
                    $"Two ArdMl transformers share the model signature '{initial.ModelSignature}': {type.FullName} and {registrations[initial.PackedSignature].Format().DisplayName}.");
            }
        }

        return registrations.ToFrozenDictionary();
    }

    /// <summary>
    /// ArdMl itself and its loaded friend assemblies (InternalsVisibleTo, such as the tests): only they can implement
    /// the internal <see cref="IArdLoadableTransformer{TSelf}"/>.
    /// </summary>
    private static IEnumerable<Assembly> CandidateAssemblies()
    {
        var self = typeof(ArdModelLoader).Assembly;
        var friends = self.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName.Split(',')[0].Trim())
            .ToHashSet(StringComparer.Ordinal);
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && friends.Contains(a.GetName().Name ?? string.Empty))
            .Prepend(self);
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            return exception.Types.OfType<Type>();
        }
    }

    private static ModelFormat FormatOf<T>()
        where T : class, ITransformer, IArdLoadableTransformer<T> => T.Format;

    private static ITransformer LoadAs<T>(IHostEnvironment environment, ModelStateReader reader)
        where T : class, ITransformer, IArdLoadableTransformer<T> => T.Load(environment, reader);

    private static string Describe(ulong signature)
    {
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < 8; i++)
        {
            var c = (char)((signature >> (i * 8)) & 0xff);
            chars[i] = c == 0 ? ' ' : c;
        }

        return new string(chars);
    }

    /// <summary>A loadable transformer: its format (read at each load) and its Load method.</summary>
    private sealed record Registration(Func<ModelFormat> Format, Func<IHostEnvironment, ModelStateReader, ITransformer> Load);
}
