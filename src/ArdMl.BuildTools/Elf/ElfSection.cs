namespace ArdMl.BuildTools.Elf;

/// <summary>One entry of the ELF64 section header table.</summary>
/// <param name="Index">Position in the section header table.</param>
/// <param name="Name">Name from the section-name string table (e.g. <c>.gnu.version_r</c>).</param>
/// <param name="Type">sh_type (e.g. <see cref="ElfSectionType.GnuVersionNeed"/>).</param>
/// <param name="Offset">sh_offset: where the section's bytes start in the file.</param>
/// <param name="Size">sh_size in bytes.</param>
/// <param name="Link">sh_link: for version and symbol sections, the index of their string table.</param>
/// <param name="Info">sh_info: for version sections, the number of records.</param>
/// <param name="EntrySize">sh_entsize: size of one fixed-size entry, 0 when not a table.</param>
public sealed record ElfSection(int Index, string Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

/// <summary>The sh_type values this tool reads.</summary>
public static class ElfSectionType
{
    /// <summary>SHT_STRTAB.</summary>
    public const uint StringTable = 3;

    /// <summary>SHT_DYNSYM: the dynamic symbol table.</summary>
    public const uint DynamicSymbols = 11;

    /// <summary>SHT_GNU_verdef (<c>.gnu.version_d</c>): versions this object defines.</summary>
    public const uint GnuVersionDefinition = 0x6ffffffd;

    /// <summary>SHT_GNU_verneed (<c>.gnu.version_r</c>): versions this object needs from its dependencies.</summary>
    public const uint GnuVersionNeed = 0x6ffffffe;

    /// <summary>SHT_GNU_versym (<c>.gnu.version</c>): one version index per dynamic symbol.</summary>
    public const uint GnuVersionSymbol = 0x6fffffff;
}
