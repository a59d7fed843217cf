using System.Buffers.Binary;
using System.Text;

namespace ArdMl.BuildTools.Elf;

/// <summary>
/// A little-endian ELF64 shared object held in memory, parsed through its section header table: the section-name
/// string table (e_shstrndx), the dynamic symbols and the GNU symbol-versioning sections, each reading its strings
/// from the string table named by its sh_link. Every read is bounds-checked and a malformed file raises an
/// <see cref="ElfFormatException"/> that names the file and the structure at fault.
/// </summary>
public sealed class ElfImage
{
    /// <summary>e_machine value of x86-64.</summary>
    public const ushort MachineX8664 = 62;

    private const int HeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VersionNeedSize = 16;
    private const int VersionNeedEntrySize = 16;
    private const int VersionDefinitionSize = 20;
    private const int VersionDefinitionNameSize = 8;
    private const int DynamicSymbolSize = 24;
    private const ushort ExtendedSectionIndex = 0xffff;
    private const ushort VersionDefinitionBaseFlag = 0x1;

    private readonly byte[] _bytes;

    private ElfImage(byte[] bytes, string sourceName)
    {
        _bytes = bytes;
        SourceName = sourceName;
        Machine = ReadUInt16(18, "ELF header");
        Sections = ReadSections();
    }

    /// <summary>The file name used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>e_machine (e.g. <see cref="MachineX8664"/>).</summary>
    public ushort Machine { get; }

    /// <summary>The section header table.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>The raw bytes (patches are applied to this array).</summary>
    public byte[] Bytes => _bytes;

    /// <summary>Reads and parses a file.</summary>
    public static ElfImage Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses an in-memory image.</summary>
    /// <exception cref="ElfFormatException">The bytes are not a little-endian ELF64 image with a section header table.</exception>
    public static ElfImage Parse(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < HeaderSize || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new ElfFormatException($"{sourceName}: not an ELF file (no 0x7F 'ELF' magic in the first {HeaderSize} bytes).");
        }

        if (bytes[4] != 2)
        {
            throw new ElfFormatException($"{sourceName}: EI_CLASS is {bytes[4]}, expected 2 (ELF64).");
        }

        if (bytes[5] != 1)
        {
            throw new ElfFormatException($"{sourceName}: EI_DATA is {bytes[5]}, expected 1 (little-endian).");
        }

        return new ElfImage(bytes, sourceName);
    }

    /// <summary>The first section of the given sh_type, or null.</summary>
    public ElfSection? FindSection(uint type) => Sections.FirstOrDefault(s => s.Type == type);

    /// <summary>
    /// The version needs in <c>.gnu.version_r</c> (the SHT_GNU_verneed section), following the vn_next / vna_next
    /// chains; names come from the string table named by the section's sh_link. Empty when the section is absent.
    /// </summary>
    public IReadOnlyList<ElfVersionNeed> ReadVersionNeeds()
    {
        var section = FindSection(ElfSectionType.GnuVersionNeed);
        if (section is null)
        {
            return [];
        }

        var strings = StringTableOf(section);
        var needs = new List<ElfVersionNeed>();
        var recordOffset = 0UL;
        for (var record = 0; record < section.Info; record++)
        {
            var at = Within(section, recordOffset, VersionNeedSize, "Elf64_Verneed");
            var count = ReadUInt16(at + 2, "Elf64_Verneed.vn_cnt");
            var file = ReadString(strings, ReadUInt32(at + 4, "Elf64_Verneed.vn_file"));
            var auxOffset = recordOffset + ReadUInt32(at + 8, "Elf64_Verneed.vn_aux");
            var next = ReadUInt32(at + 12, "Elf64_Verneed.vn_next");

            var entries = new List<ElfVersionNeedEntry>(count);
            for (var i = 0; i < count; i++)
            {
                var entry = Within(section, auxOffset, VersionNeedEntrySize, "Elf64_Vernaux");
                entries.Add(new ElfVersionNeedEntry(
                    Name: ReadString(strings, ReadUInt32(entry + 8, "Elf64_Vernaux.vna_name")),
                    Hash: ReadUInt32(entry, "Elf64_Vernaux.vna_hash"),
                    Flags: ReadUInt16(entry + 4, "Elf64_Vernaux.vna_flags"),
                    VersionIndex: ReadUInt16(entry + 6, "Elf64_Vernaux.vna_other"),
                    FlagsFileOffset: entry + 4));
                var auxNext = ReadUInt32(entry + 12, "Elf64_Vernaux.vna_next");
                if (auxNext == 0 && i != count - 1)
                {
                    throw Malformed($"the Elf64_Vernaux chain of {file} ends after {i + 1} of {count} entries");
                }

                auxOffset += auxNext;
            }

            needs.Add(new ElfVersionNeed(file, entries));
            if (next == 0)
            {
                if (record != section.Info - 1)
                {
                    throw Malformed($"the Elf64_Verneed chain ends after {record + 1} of {section.Info} records");
                }

                break;
            }

            recordOffset += next;
        }

        return needs;
    }

    /// <summary>
    /// The version names this object defines in <c>.gnu.version_d</c> (SHT_GNU_verdef), excluding the base entry
    /// (the object's own soname). Empty when the section is absent.
    /// </summary>
    public IReadOnlyList<string> ReadVersionDefinitions()
    {
        var section = FindSection(ElfSectionType.GnuVersionDefinition);
        if (section is null)
        {
            return [];
        }

        var strings = StringTableOf(section);
        var names = new List<string>();
        var recordOffset = 0UL;
        for (var record = 0; record < section.Info; record++)
        {
            var at = Within(section, recordOffset, VersionDefinitionSize, "Elf64_Verdef");
            var flags = ReadUInt16(at + 2, "Elf64_Verdef.vd_flags");
            var count = ReadUInt16(at + 6, "Elf64_Verdef.vd_cnt");
            var auxOffset = ReadUInt32(at + 12, "Elf64_Verdef.vd_aux");
            var next = ReadUInt32(at + 16, "Elf64_Verdef.vd_next");
            if (count > 0 && (flags & VersionDefinitionBaseFlag) == 0)
            {
                // The first Elf64_Verdaux names the version; any further ones name its parents.
                var name = Within(section, recordOffset + auxOffset, VersionDefinitionNameSize, "Elf64_Verdaux");
                names.Add(ReadString(strings, ReadUInt32(name, "Elf64_Verdaux.vda_name")));
            }

            if (next == 0)
            {
                break;
            }

            recordOffset += next;
        }

        return names;
    }

    /// <summary>
    /// Names of the dynamic symbols whose <c>.gnu.version</c> index (hidden bit cleared) equals
    /// <paramref name="versionIndex"/>, i.e. the symbols bound to one needed or defined version.
    /// </summary>
    public IReadOnlyList<string> SymbolsBoundToVersion(ushort versionIndex)
    {
        var symbols = FindSection(ElfSectionType.DynamicSymbols);
        var versions = FindSection(ElfSectionType.GnuVersionSymbol);
        if (symbols is null || versions is null)
        {
            return [];
        }

        var strings = StringTableOf(symbols);
        var count = symbols.Size / DynamicSymbolSize;
        if (versions.Size / 2 < count)
        {
            throw Malformed($".gnu.version holds {versions.Size / 2} entries for {count} dynamic symbols");
        }

        var names = new List<string>();
        for (var i = 0UL; i < count; i++)
        {
            var index = (ushort)(ReadUInt16(Within(versions, i * 2, 2, ".gnu.version entry"), ".gnu.version entry") & 0x7fff);
            if (index == versionIndex)
            {
                var symbol = Within(symbols, i * DynamicSymbolSize, DynamicSymbolSize, "Elf64_Sym");
                names.Add(ReadString(strings, ReadUInt32(symbol, "Elf64_Sym.st_name")));
            }
        }

        return names;
    }

    /// <summary>Sets bits in the vna_flags of one version-need entry, in <see cref="Bytes"/>.</summary>
    public void SetVersionNeedFlags(ElfVersionNeedEntry entry, ushort flagsToSet)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var current = ReadUInt16(entry.FlagsFileOffset, "Elf64_Vernaux.vna_flags");
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(checked((int)entry.FlagsFileOffset), 2), (ushort)(current | flagsToSet));
    }

    private List<ElfSection> ReadSections()
    {
        var tableOffset = ReadUInt64(40, "e_shoff");
        var entrySize = ReadUInt16(58, "e_shentsize");
        int count = ReadUInt16(60, "e_shnum");
        int nameTableIndex = ReadUInt16(62, "e_shstrndx");
        if (tableOffset == 0)
        {
            throw Malformed("it has no section header table (e_shoff is 0)");
        }

        if (entrySize != SectionHeaderSize)
        {
            throw Malformed($"e_shentsize is {entrySize}, expected {SectionHeaderSize}");
        }

        if (count == 0 || nameTableIndex == ExtendedSectionIndex)
        {
            // Extended numbering: the real values live in section 0's sh_size and sh_link.
            var first = CheckedOffset(tableOffset, SectionHeaderSize, "section header 0");
            if (count == 0)
            {
                count = checked((int)ReadUInt64(first + 32, "section header 0 sh_size"));
            }

            if (nameTableIndex == ExtendedSectionIndex)
            {
                nameTableIndex = checked((int)ReadUInt32(first + 40, "section header 0 sh_link"));
            }
        }

        var raw = new (uint Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize)[count];
        for (var i = 0; i < count; i++)
        {
            var at = CheckedOffset(tableOffset + ((ulong)i * SectionHeaderSize), SectionHeaderSize, $"section header {i}");
            raw[i] = (ReadUInt32(at, "sh_name"), ReadUInt32(at + 4, "sh_type"), ReadUInt64(at + 24, "sh_offset"),
                ReadUInt64(at + 32, "sh_size"), ReadUInt32(at + 40, "sh_link"), ReadUInt32(at + 44, "sh_info"),
                ReadUInt64(at + 56, "sh_entsize"));
        }

        if (nameTableIndex >= count)
        {
            throw Malformed($"e_shstrndx {nameTableIndex} is outside the {count} sections");
        }

        var names = raw[nameTableIndex];
        var sections = new List<ElfSection>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(names.Offset, names.Size, raw[i].Name, "section name");
            sections.Add(new ElfSection(i, name, raw[i].Type, raw[i].Offset, raw[i].Size, raw[i].Link, raw[i].Info, raw[i].EntrySize));
        }

        return sections;
    }

    private ElfSection StringTableOf(ElfSection section)
    {
        if (section.Link >= Sections.Count || Sections[(int)section.Link].Type != ElfSectionType.StringTable)
        {
            throw Malformed($"the sh_link {section.Link} of {section.Name} does not name a string table");
        }

        return Sections[(int)section.Link];
    }

    private long Within(ElfSection section, ulong offsetInSection, int size, string what)
    {
        if (offsetInSection + (ulong)size > section.Size)
        {
            throw Malformed($"a {what} at offset {offsetInSection} runs past the end of {section.Name} ({section.Size} bytes)");
        }

        return CheckedOffset(section.Offset + offsetInSection, size, what);
    }

    private string ReadString(ElfSection table, uint offset) => ReadString(table.Offset, table.Size, offset, table.Name);

    private string ReadString(ulong tableOffset, ulong tableSize, uint offset, string what)
    {
        if (offset >= tableSize)
        {
            throw Malformed($"string offset {offset} is outside {what} ({tableSize} bytes)");
        }

        var start = CheckedOffset(tableOffset + offset, 1, what);
        var limit = (int)Math.Min((ulong)_bytes.Length, tableOffset + tableSize);
        var end = Array.IndexOf(_bytes, (byte)0, (int)start, limit - (int)start);
        if (end < 0)
        {
            throw Malformed($"a string in {what} at offset {offset} is not NUL-terminated");
        }

        return Encoding.UTF8.GetString(_bytes, (int)start, end - (int)start);
    }

    private long CheckedOffset(ulong offset, int size, string what)
    {
        if (offset > (ulong)_bytes.Length || (ulong)_bytes.Length - offset < (ulong)size)
        {
            throw Malformed($"{what} at file offset {offset} ({size} bytes) runs past the end of the file ({_bytes.Length} bytes)");
        }

        return (long)offset;
    }

    private ushort ReadUInt16(long offset, string what) =>
        BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)CheckedOffset((ulong)offset, 2, what), 2));

    private uint ReadUInt32(long offset, string what) =>
        BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)CheckedOffset((ulong)offset, 4, what), 4));

    private ulong ReadUInt64(long offset, string what) =>
        BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)CheckedOffset((ulong)offset, 8, what), 8));

    private ElfFormatException Malformed(string problem) => new($"{SourceName}: malformed ELF64 image: {problem}.");
}
