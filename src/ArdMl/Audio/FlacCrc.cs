namespace ArdMl.Audio;

/// <summary>The two FLAC checksums: CRC-8 (polynomial 0x07) over frame headers and CRC-16 (0x8005) over frames.</summary>
internal static class FlacCrc
{
    private static readonly byte[] Crc8Table = BuildCrc8Table();
    private static readonly ushort[] Crc16Table = BuildCrc16Table();

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
        var table = Crc16Table;
        uint crc = 0;
        foreach (var b in data)
        {
            crc = ((crc << 8) ^ table[(crc >> 8) ^ b]) & 0xFFFF;
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
