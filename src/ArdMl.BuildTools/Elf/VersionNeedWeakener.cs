namespace ArdMl.BuildTools.Elf;

/// <summary>What <see cref="VersionNeedWeakener"/> did for one requested version of one library.</summary>
public enum WeakenAction
{
    /// <summary>VER_FLG_WEAK was set and the file rewritten.</summary>
    Weakened,

    /// <summary>The entry already carried VER_FLG_WEAK: nothing to do.</summary>
    AlreadyWeak,

    /// <summary>The host's copy of the dependency defines the version: the need is met, the file is left as is.</summary>
    HostProvides,

    /// <summary>The library does not need that version: the file is left as is.</summary>
    NotNeeded,

    /// <summary>The dependency was not found on this host, so nothing was decided: the file is left as is.</summary>
    HostLibraryMissing,
}

/// <summary>The outcome for one requested version of one library.</summary>
/// <param name="Library">The library examined.</param>
/// <param name="Version">The version name requested (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Action">What was done.</param>
/// <param name="Detail">A human-readable explanation (host library used, symbols bound to the version).</param>
public sealed record WeakenOutcome(string Library, string Version, WeakenAction Action, string Detail);

/// <summary>
/// Marks version needs of an ELF64 shared object weak (ORs VER_FLG_WEAK into vna_flags of the Elf64_Vernaux entry in
/// <c>.gnu.version_r</c>) so that the dynamic loader accepts a dependency that lacks that version. Used for
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c>, whose only <c>GLIBCXX_3.4.32</c> symbol
/// (<c>_ZSt21ios_base_library_initv</c>) is referenced without a relocation. Idempotent; the file is replaced
/// atomically (written beside it, then renamed), which also breaks any hard link to a package cache.
/// </summary>
/// <param name="findHostLibrary">Resolves a dependency soname for an e_machine to the host's file, or null.</param>
public sealed class VersionNeedWeakener(Func<string, ushort, string?> findHostLibrary)
{
    private readonly Dictionary<string, IReadOnlySet<string>?> _hostDefinitions = new(StringComparer.Ordinal);

    /// <summary>A weakener that consults the host's dynamic loader paths.</summary>
    public VersionNeedWeakener()
        : this(HostLibraryLocator.Find)
    {
    }

    /// <summary>
    /// Weakens each of <paramref name="versions"/> that <paramref name="libraryPath"/> needs. With
    /// <paramref name="onlyWhenHostLacks"/>, a need is weakened only when the host's copy of the dependency
    /// (parsed from its <c>.gnu.version_d</c>) does not define the version.
    /// </summary>
    public IReadOnlyList<WeakenOutcome> Weaken(string libraryPath, IReadOnlyCollection<string> versions, bool onlyWhenHostLacks)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var image = ElfImage.Load(libraryPath);
        var needs = image.ReadVersionNeeds();
        var outcomes = new List<WeakenOutcome>();
        var changed = false;
        foreach (var version in versions)
        {
            var matches = needs.SelectMany(need => need.Versions.Where(v => v.Name == version).Select(v => (need.File, Entry: v))).ToList();
            if (matches.Count == 0)
            {
                outcomes.Add(new WeakenOutcome(libraryPath, version, WeakenAction.NotNeeded, $"{Path.GetFileName(libraryPath)} does not need {version}"));
                continue;
            }

            foreach (var (file, entry) in matches)
            {
                var symbols = image.SymbolsBoundToVersion(entry.VersionIndex);
                var bound = symbols.Count == 0 ? "no symbols bound to it" : $"bound symbol(s): {string.Join(", ", symbols)}";
                if (onlyWhenHostLacks)
                {
                    var hostPath = findHostLibrary(file, image.Machine);
                    if (hostPath is null)
                    {
                        outcomes.Add(new WeakenOutcome(libraryPath, version, WeakenAction.HostLibraryMissing, $"{file} was not found on this host; left unchanged"));
                        continue;
                    }

                    if (HostDefinitions(hostPath)?.Contains(version) == true)
                    {
                        outcomes.Add(new WeakenOutcome(libraryPath, version, WeakenAction.HostProvides, $"{hostPath} defines {version}; left unchanged"));
                        continue;
                    }

                    bound += $"; {hostPath} does not define it";
                }

                if (entry.IsWeak)
                {
                    outcomes.Add(new WeakenOutcome(libraryPath, version, WeakenAction.AlreadyWeak, $"need of {file} is already weak ({bound})"));
                    continue;
                }

                image.SetVersionNeedFlags(entry, ElfVersionNeedEntry.WeakFlag);
                changed = true;
                outcomes.Add(new WeakenOutcome(libraryPath, version, WeakenAction.Weakened, $"marked the need of {file} weak ({bound})"));
            }
        }

        if (changed)
        {
            ReplaceFile(libraryPath, image.Bytes);
        }

        return outcomes;
    }

    private static void ReplaceFile(string path, byte[] bytes)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private IReadOnlySet<string>? HostDefinitions(string hostPath)
    {
        if (!_hostDefinitions.TryGetValue(hostPath, out var definitions))
        {
            definitions = ElfImage.Load(hostPath).ReadVersionDefinitions().ToHashSet(StringComparer.Ordinal);
            _hostDefinitions[hostPath] = definitions;
        }

        return definitions;
    }
}
