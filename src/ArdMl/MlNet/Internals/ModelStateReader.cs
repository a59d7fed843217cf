using System.Runtime.InteropServices;
using Microsoft.ML;

namespace ArdMl.MlNet.Internals;

/// <summary>
/// Reads back what <see cref="ModelStateWriter"/> wrote, in the same order. Every length is validated and a corrupt
/// or truncated stream raises <see cref="InvalidDataException"/> naming the transformer.
/// </summary>
internal sealed class ModelStateReader
{
    private const int MaxArrayLength = int.MaxValue / 8;
    private readonly ModelLoadContext _context;
    private readonly BinaryReader _reader;
    private readonly string _owner;
    private readonly long _modelEnd;

    internal ModelStateReader(ModelLoadContext context, ModelFormat format)
    {
        _context = context;
        _reader = context.Reader;
        _owner = format.DisplayName;
        Version = context.Header.ModelVerWritten;
        _modelEnd = context.FpMin + context.Header.FpModel + context.Header.CbModel;
    }

    /// <summary>The format version the model was written with (branch on it to read older formats).</summary>
    public uint Version { get; }

    /// <summary>Reads a 32-bit integer.</summary>
    public int ReadInt32() => Guard(_reader.ReadInt32);

    /// <summary>Reads a 64-bit integer.</summary>
    public long ReadInt64() => Guard(_reader.ReadInt64);

    /// <summary>Reads a single-precision float.</summary>
    public float ReadSingle() => Guard(_reader.ReadSingle);

    /// <summary>Reads a double-precision float.</summary>
    public double ReadDouble() => Guard(_reader.ReadDouble);

    /// <summary>Reads a boolean.</summary>
    public bool ReadBoolean() => Guard(_reader.ReadBoolean);

    /// <summary>Reads a non-null string.</summary>
    public string ReadString() => Guard(_reader.ReadString);

    /// <summary>Reads a string written by <see cref="ModelStateWriter.WriteNullable"/>.</summary>
    public string? ReadNullableString() => ReadBoolean() ? ReadString() : null;

    /// <summary>Reads a float array.</summary>
    public float[] ReadSingles()
    {
        var values = new float[ReadLength("float array", sizeof(float))];
        ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), "float array");
        return values;
    }

    /// <summary>Reads an int array.</summary>
    public int[] ReadInt32s()
    {
        var values = new int[ReadLength("int array", sizeof(int))];
        ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), "int array");
        return values;
    }

    /// <summary>Reads a list of strings.</summary>
    public string[] ReadStrings()
    {
        var values = new string[ReadLength("string list", 1)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadString();
        }

        return values;
    }

    /// <summary>Reads a named binary entry written by <see cref="ModelStateWriter.WriteBlob(string, ReadOnlySpan{byte})"/>.</summary>
    public byte[] ReadBlob(string name)
    {
        byte[]? bytes = null;
        ReadBlob(name, stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        });
        return bytes!;
    }

    /// <summary>Reads a named binary entry through a callback that receives a readable stream.</summary>
    public void ReadBlob(string name, Action<Stream> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(read);
        var found = _context.TryLoadBinaryStream(name, reader =>
        {
            using var stream = new UnclosableStream(reader.BaseStream);
            read(stream);
        });
        if (!found)
        {
            throw new InvalidDataException($"The saved {_owner} has no entry '{name}' (in '{_context.Directory}'): the model file is incomplete or was not written by this transformer.");
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the transformer: for values that fail validation.</summary>
    public InvalidDataException Corrupt(string problem) => new($"The saved {_owner} is corrupt: {problem}.");

    /// <summary>Checks that the transformer's Load consumed exactly the state its Save wrote.</summary>
    internal void CheckFullyRead()
    {
        var position = _reader.BaseStream.Position;
        if (position != _modelEnd)
        {
            throw new InvalidDataException(
                $"The saved {_owner} holds {_modelEnd - position} bytes of state that its loader did not read: the saved format and this build's reader disagree.");
        }
    }

    private int ReadLength(string what, int minimumItemSize)
    {
        var length = ReadInt32();
        if (length < 0 || length > MaxArrayLength || (long)length * minimumItemSize > Remaining)
        {
            throw Corrupt($"a {what} has length {length}, more than the {Remaining} bytes of state left");
        }

        return length;
    }

    private long Remaining => _modelEnd - _reader.BaseStream.Position;

    private void ReadExactly(Span<byte> destination, string what)
    {
        try
        {
            _reader.BaseStream.ReadExactly(destination);
        }
        catch (EndOfStreamException exception)
        {
            throw new InvalidDataException($"The saved {_owner} ends inside a {what}.", exception);
        }

        if (Remaining < 0)
        {
            throw Truncated(null);
        }
    }

    private T Guard<T>(Func<T> read)
    {
        T value;
        try
        {
            value = read();
        }
        catch (EndOfStreamException exception)
        {
            throw Truncated(exception);
        }

        // The model's bytes are followed by ML.NET's string table and tail: reading into them is reading past the end.
        return Remaining < 0 ? throw Truncated(null) : value;
    }

    private InvalidDataException Truncated(Exception? inner) =>
        new($"The saved {_owner} ends early: its state is truncated (or its loader reads more than its Save wrote).", inner);
}
