using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArdMl.Sae;

/// <summary>Element types of the safetensors format supported here.</summary>
public enum SafeTensorDType
{
    /// <summary>IEEE 754 single precision ("F32").</summary>
    F32,

    /// <summary>IEEE 754 half precision ("F16").</summary>
    F16,

    /// <summary>bfloat16 ("BF16").</summary>
    BF16,

    /// <summary>64-bit signed integer ("I64").</summary>
    I64,

    /// <summary>32-bit signed integer ("I32").</summary>
    I32,
}

/// <summary>A safetensors file is truncated, corrupt or not what the reader expected.</summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SafeTensorsFormatException(string path, string problem)
        : base($"Safetensors file '{path}': {problem}")
    {
        FilePath = path;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
}

/// <summary>One named tensor: dtype, shape and its raw little-endian bytes.</summary>
public sealed class SafeTensor
{
    /// <summary>Creates a tensor from raw bytes; the byte count must match dtype × shape.</summary>
    public SafeTensor(string name, SafeTensorDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCount(shape);
        if (count * ElementSize(dtype) != data.LongLength)
        {
            throw new ArgumentException($"Tensor '{name}' of shape [{string.Join(", ", shape)}] {dtype} needs {count * ElementSize(dtype)} bytes, got {data.LongLength}.");
        }

        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>Tensor name.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>Shape (row-major).</summary>
    public long[] Shape { get; }

    /// <summary>Raw little-endian bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount() => ElementCount(Shape);

    /// <summary>Creates an F32 tensor.</summary>
    public static SafeTensor FromSingles(string name, ReadOnlySpan<float> values, params long[] shape)
    {
        var data = new byte[values.Length * sizeof(float)];
        MemoryMarshal.AsBytes(values).CopyTo(data);
        return new SafeTensor(name, SafeTensorDType.F32, shape, data);
    }

    /// <summary>Creates an I64 tensor.</summary>
    public static SafeTensor FromInt64s(string name, ReadOnlySpan<long> values, params long[] shape)
    {
        var data = new byte[values.Length * sizeof(long)];
        MemoryMarshal.AsBytes(values).CopyTo(data);
        return new SafeTensor(name, SafeTensorDType.I64, shape, data);
    }

    /// <summary>Values converted to float32 (from F32, F16 or BF16).</summary>
    public float[] ToSingles()
    {
        long count = ElementCount();
        var result = new float[count];
        switch (DType)
        {
            case SafeTensorDType.F32:
                MemoryMarshal.Cast<byte, float>(Data).CopyTo(result);
                break;
            case SafeTensorDType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(Data);
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)halves[i];
                }

                break;
            case SafeTensorDType.BF16:
                var raw = MemoryMarshal.Cast<byte, ushort>(Data);
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                }

                break;
            default:
                throw new InvalidOperationException($"Tensor '{Name}' is {DType}, not a floating-point tensor.");
        }

        return result;
    }

    /// <summary>Values of an I64 tensor.</summary>
    public long[] ToInt64s()
    {
        if (DType != SafeTensorDType.I64)
        {
            throw new InvalidOperationException($"Tensor '{Name}' is {DType}, not I64.");
        }

        return MemoryMarshal.Cast<byte, long>(Data).ToArray();
    }

    internal static int ElementSize(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    internal static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Negative dimension {s} in shape.");
            }

            count = checked(count * s);
        }

        return count;
    }
}

/// <summary>
/// Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to dtype, shape and data_offsets (relative to the end of the header) plus an optional
/// <c>__metadata__</c> string map, then the raw bytes. Reading validates everything before returning, so a truncated
/// or corrupt file never yields a partial set of tensors.
/// </summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Reads every tensor of <paramref name="path"/>.</summary>
    public static IReadOnlyDictionary<string, SafeTensor> Read(string path) => Read(path, out _);

    /// <summary>Reads every tensor of <paramref name="path"/> and the <c>__metadata__</c> map.</summary>
    public static IReadOnlyDictionary<string, SafeTensor> Read(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new SafeTensorsFormatException(path, $"file is {fileLength} bytes, shorter than the 8-byte header length.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
        {
            throw new SafeTensorsFormatException(path, $"header length {headerLength} is invalid for a file of {fileLength} bytes (truncated or not a safetensors file).");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject
                ?? throw new SafeTensorsFormatException(path, "the header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the header is not valid JSON ({e.Message}).");
        }

        long dataLength = fileLength - 8 - (long)headerLength;
        var entries = new List<(string Name, SafeTensorDType DType, long[] Shape, long Begin, long End)>();
        var meta = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject metaObject)
                {
                    foreach (var (key, value) in metaObject)
                    {
                        meta[key] = value?.GetValueKind() == JsonValueKind.String
                            ? value.GetValue<string>()
                            : throw new SafeTensorsFormatException(path, $"metadata entry '{key}' is not a string.");
                    }
                }

                continue;
            }

            entries.Add(ParseEntry(path, name, node, dataLength));
        }

        // Offsets must tile the data region exactly (no overlap, no gaps), as the format requires.
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expected)
            {
                throw new SafeTensorsFormatException(path, $"tensor '{e.Name}' starts at byte {e.Begin}, expected {expected} (overlapping or gapped data_offsets).");
            }

            expected = e.End;
        }

        if (expected != dataLength)
        {
            throw new SafeTensorsFormatException(path, $"tensors cover {expected} bytes but the data region holds {dataLength} (truncated or trailing bytes).");
        }

        var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var data = new byte[e.End - e.Begin];
            stream.ReadExactly(data);
            result[e.Name] = new SafeTensor(e.Name, e.DType, e.Shape, data);
        }

        metadata = meta;
        return result;
    }

    /// <summary>Writes <paramref name="tensors"/> (in the given order) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        WriteStreaming(path, tensors.Select(t => new SafeTensorSource(t.Name, t.DType, t.Shape, t.Data.LongLength, stream => stream.Write(t.Data))).ToList(), metadata);

    /// <summary>Writes tensors whose bytes are produced by callbacks (no managed copy of large native buffers).</summary>
    internal static void WriteStreaming(string path, IReadOnlyList<SafeTensorSource> list, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var metaObject = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                metaObject[key] = value;
            }

            header["__metadata__"] = metaObject;
        }

        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (!names.Add(t.Name) || t.Name == "__metadata__")
            {
                throw new ArgumentException($"Duplicate or reserved tensor name '{t.Name}'.");
            }

            var shape = new JsonArray();
            foreach (var s in t.Shape)
            {
                shape.Add(s);
            }

            if (SafeTensor.ElementCount(t.Shape) * SafeTensor.ElementSize(t.DType) != t.ByteLength)
            {
                throw new ArgumentException($"Tensor '{t.Name}' of shape [{string.Join(", ", t.Shape)}] {t.DType} cannot have {t.ByteLength} bytes.");
            }

            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType.ToString(),
                ["shape"] = shape,
                ["data_offsets"] = new JsonArray(offset, offset + t.ByteLength),
            };
            offset += t.ByteLength;
        }

        var headerText = header.ToJsonString();
        // Pad the header with spaces to an 8-byte boundary, as the reference implementation does.
        int rawLength = Encoding.UTF8.GetByteCount(headerText);
        var headerBytes = Encoding.UTF8.GetBytes(headerText + new string(' ', ((rawLength + 7) / 8 * 8) - rawLength));
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerBytes.Length);
            stream.Write(lengthBytes);
            stream.Write(headerBytes);
            foreach (var t in list)
            {
                long before = stream.Position;
                t.WriteData(stream);
                if (stream.Position - before != t.ByteLength)
                {
                    throw new InvalidOperationException($"Tensor '{t.Name}' wrote {stream.Position - before} bytes instead of {t.ByteLength}.");
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static (string, SafeTensorDType, long[], long, long) ParseEntry(string path, string name, JsonNode? node, long dataLength)
    {
        if (node is not JsonObject entry)
        {
            throw new SafeTensorsFormatException(path, $"entry '{name}' is not an object.");
        }

        string dtypeText = entry["dtype"]?.GetValueKind() == JsonValueKind.String ? entry["dtype"]!.GetValue<string>() : "";
        if (!Enum.TryParse<SafeTensorDType>(dtypeText, ignoreCase: false, out var dtype) || !Enum.IsDefined(dtype))
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has unsupported dtype '{dtypeText}' (supported: F32, F16, BF16, I64, I32).");
        }

        if (entry["shape"] is not JsonArray shapeArray || entry["data_offsets"] is not JsonArray offsets || offsets.Count != 2)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' lacks a shape array or a two-element data_offsets.");
        }

        long[] shape;
        long begin;
        long end;
        try
        {
            shape = shapeArray.Select(s => s!.GetValue<long>()).ToArray();
            begin = offsets[0]!.GetValue<long>();
            end = offsets[1]!.GetValue<long>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has a non-integer shape or data_offsets.");
        }

        if (shape.Any(s => s < 0) || begin < 0 || end < begin || end > dataLength)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength}-byte data region or a negative dimension (truncated file?).");
        }

        long bytes;
        try
        {
            bytes = checked(SafeTensor.ElementCount(shape) * SafeTensor.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has an impossibly large shape.");
        }

        if (bytes != end - begin)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' of shape [{string.Join(", ", shape)}] {dtype} needs {bytes} bytes but data_offsets span {end - begin}.");
        }

        return (name, dtype, shape, begin, end);
    }
}

/// <summary>A tensor to write: its header fields and a callback that writes exactly <c>ByteLength</c> bytes.</summary>
internal sealed record SafeTensorSource(string Name, SafeTensorDType DType, long[] Shape, long ByteLength, Action<Stream> WriteData)
{
    /// <summary>An F32 tensor read straight from native memory (which must stay alive until written).</summary>
    public static unsafe SafeTensorSource FromNative(string name, float* data, long count, params long[] shape)
    {
        var address = (IntPtr)data;
        return new SafeTensorSource(name, SafeTensorDType.F32, shape, count * sizeof(float), stream =>
        {
            byte* p = (byte*)address;
            long remaining = count * sizeof(float);
            while (remaining > 0)
            {
                int chunk = (int)Math.Min(remaining, 1 << 24);
                stream.Write(new ReadOnlySpan<byte>(p, chunk));
                p += chunk;
                remaining -= chunk;
            }
        });
    }
}
