namespace ArdMl.BuildTools.Elf;

/// <summary>Thrown when a file is not a well-formed little-endian ELF64 image; the message names the file.</summary>
public sealed class ElfFormatException(string message) : Exception(message);
