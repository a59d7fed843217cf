using System.Buffers.Binary;

namespace ArdMl.Tests.Audio;

/// <summary>Builds WAV files byte by byte (independently of ArdMl's writer) for the decoder tests.</summary>
internal static class WavTestFiles
{
    public static byte[] Build(
        ushort formatTag,
        int channels,
        int sampleRate,
        int containerBits,
        byte[] sampleBytes,
        int? validBits = null,
        ushort? extensibleSubFormat = null,
        uint? dataSizeOverride = null,
        bool junkChunks = false)
    {
        var chunks = new List<byte[]>();
        if (junkChunks)
        {
            chunks.Add(Chunk("LIST", [1, 2, 3, 4, 5])); // odd size: a pad byte follows
        }

        var blockAlign = channels * (containerBits / 8);
        var extensible = extensibleSubFormat is not null;
        var fmt = new byte[extensible ? 40 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), sampleRate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)containerBits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)(validBits ?? containerBits));
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), 3);
            var guid = new Guid($"{extensibleSubFormat:X8}-0000-0010-8000-00aa00389b71");
            guid.TryWriteBytes(fmt.AsSpan(24));
        }

        chunks.Add(Chunk("fmt ", fmt));
        if (junkChunks)
        {
            chunks.Add(Chunk("fact", [0, 0, 0, 0]));
            chunks.Add(Chunk("odd!", [9]));
        }

        var data = Chunk("data", sampleBytes);
        if (dataSizeOverride is { } size)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), size);
        }

        chunks.Add(data);
        var body = chunks.SelectMany(c => c).ToArray();
        var file = new byte[12 + body.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(4 + body.Length));
        "WAVE"u8.CopyTo(file.AsSpan(8));
        body.CopyTo(file, 12);
        return file;
    }

    /// <summary>Integer samples as little-endian bytes of <paramref name="containerBits"/>, left-justified from <paramref name="validBits"/>.</summary>
    public static byte[] Pack(int[] samples, int containerBits, int validBits)
    {
        var bytesPerSample = containerBits / 8;
        var bytes = new byte[samples.Length * bytesPerSample];
        for (var i = 0; i < samples.Length; i++)
        {
            var value = (long)samples[i] << (containerBits - validBits);
            if (containerBits == 8)
            {
                value += 128;
            }

            for (var b = 0; b < bytesPerSample; b++)
            {
                bytes[(i * bytesPerSample) + b] = (byte)(value >> (8 * b));
            }
        }

        return bytes;
    }

    private static byte[] Chunk(string id, byte[] content)
    {
        var chunk = new byte[8 + content.Length + (content.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(id).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)content.Length);
        content.CopyTo(chunk, 8);
        return chunk;
    }
}
