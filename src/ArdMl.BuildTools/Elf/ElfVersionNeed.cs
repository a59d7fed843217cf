namespace ArdMl.BuildTools.Elf;

/// <summary>An Elf64_Verneed record: the versions this object needs from one dependency.</summary>
/// <param name="File">vn_file: the dependency's soname (e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Versions">The Elf64_Vernaux entries that follow the record.</param>
public sealed record ElfVersionNeed(string File, IReadOnlyList<ElfVersionNeedEntry> Versions);

/// <summary>An Elf64_Vernaux entry <c>{u32 hash; u16 flags; u16 other; u32 name; u32 next}</c>.</summary>
/// <param name="Name">vna_name: the version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Hash">vna_hash: the ELF hash of the name.</param>
/// <param name="Flags">vna_flags; <see cref="WeakFlag"/> marks a need the loader may leave unmet.</param>
/// <param name="VersionIndex">vna_other: the index that <c>.gnu.version</c> uses for symbols bound to this version.</param>
/// <param name="FlagsFileOffset">Absolute file offset of the two bytes of vna_flags.</param>
public sealed record ElfVersionNeedEntry(string Name, uint Hash, ushort Flags, ushort VersionIndex, long FlagsFileOffset)
{
    /// <summary>VER_FLG_WEAK: the dynamic loader does not fail when the dependency lacks this version.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Whether <see cref="WeakFlag"/> is set.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}
