namespace ArdMl.Audio;

/// <summary>The two FLAC checksums: CRC-8 (polynomial 0x07) over frame headers and CRC-16 (0x8005) over frames.</summary>
internal static class FlacCrc
{
    private static readonly byte[] Crc8Table = BuildCrc8Table();
    private static readonly ushort[] Crc16Table = BuildCrc16Table();

    /// <summary>Slicing-by-8 tables: row k holds the CRC of a byte followed by k zero bytes.</summary>
    private static readonly ushort[] Crc16Slices = BuildCrc16Slices();

    /// <summary>CRC-8, polynomial x^8 + x^2 + x + 1, initial value 0, MSB first.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            crc = Crc8Table[crc ^ b];
        }

        return crc;
    }

    /// <summary>CRC-16, polynomial x^16 + x^15 + x^2 + 1, initial value 0, MSB first.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        var slices = Crc16Slices;
        uint crc = 0;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            // The register is XORed into the first two bytes; each byte then contributes its CRC shifted by the
            // number of bytes after it in this block.
            var block = data.Slice(i, 8);
            crc = (uint)(slices[(7 * 256) + (block[0] ^ (crc >> 8))]
                ^ slices[(6 * 256) + (block[1] ^ (crc & 0xFF))]
                ^ slices[(5 * 256) + block[2]]
                ^ slices[(4 * 256) + block[3]]
                ^ slices[(3 * 256) + block[4]]
                ^ slices[(2 * 256) + block[5]]
                ^ slices[256 + block[6]]
                ^ slices[block[7]]);
        }

        var table = Crc16Table;
        for (; i < data.Length; i++)
        {
            crc = ((crc << 8) ^ table[(crc >> 8) ^ data[i]]) & 0xFFFF;
        }

        return (ushort)crc;
    }

    private static byte[] BuildCrc8Table()
    {
        var table = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (crc << 1) ^ 0x07 : crc << 1;
            }

            table[i] = (byte)crc;
        }

        return table;
    }

    private static ushort[] BuildCrc16Slices()
    {
        var slices = new ushort[8 * 256];
        var table = BuildCrc16Table();
        table.CopyTo(slices, 0);
        for (var k = 1; k < 8; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                var previous = slices[((k - 1) * 256) + b];
                slices[(k * 256) + b] = (ushort)((previous << 8) ^ table[previous >> 8]);
            }
        }

        return slices;
    }

    private static ushort[] BuildCrc16Table()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x8005 : crc << 1;
            }

            table[i] = (ushort)crc;
        }

        return table;
    }
}
