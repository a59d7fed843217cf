using System.Runtime.InteropServices;
using Microsoft.ML;

namespace ArdMl.MlNet.Internals;

/// <summary>
/// Writes a transformer's fitted state into ML.NET's model stream (<c>ICanSaveModel.Save</c>): scalars, arrays and
/// strings go to the transformer's own binary stream in the order written; large blobs (TorchSharp state, ONNX bytes)
/// go to named entries beside it in the model zip. Read back in the same order with <see cref="ModelStateReader"/>.
/// </summary>
internal sealed class ModelStateWriter
{
    private readonly ModelSaveContext _context;
    private readonly BinaryWriter _writer;

    internal ModelStateWriter(ModelSaveContext context)
    {
        _context = context;
        _writer = context.Writer;
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void Write(int value) => _writer.Write(value);

    /// <summary>Writes a 64-bit integer.</summary>
    public void Write(long value) => _writer.Write(value);

    /// <summary>Writes a single-precision float.</summary>
    public void Write(float value) => _writer.Write(value);

    /// <summary>Writes a double-precision float.</summary>
    public void Write(double value) => _writer.Write(value);

    /// <summary>Writes a boolean as one byte.</summary>
    public void Write(bool value) => _writer.Write(value);

    /// <summary>Writes a non-null string (length-prefixed UTF-8).</summary>
    public void Write(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _writer.Write(value);
    }

    /// <summary>Writes a string that may be null.</summary>
    public void WriteNullable(string? value)
    {
        _writer.Write(value is not null);
        if (value is not null)
        {
            _writer.Write(value);
        }
    }

    /// <summary>Writes a float array (count, then the values).</summary>
    public void Write(ReadOnlySpan<float> values)
    {
        _writer.Write(values.Length);
        _writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes an int array (count, then the values).</summary>
    public void Write(ReadOnlySpan<int> values)
    {
        _writer.Write(values.Length);
        _writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a list of non-null strings (count, then each string).</summary>
    public void Write(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _writer.Write(values.Count);
        foreach (var value in values)
        {
            Write(value);
        }
    }

    /// <summary>Writes a named binary entry beside the transformer's stream.</summary>
    /// <param name="name">Entry name, unique within this transformer, e.g. "Weights.bin".</param>
    /// <param name="bytes">The content.</param>
    public void WriteBlob(string name, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        WriteBlob(name, stream => stream.Write(copy));
    }

    /// <summary>
    /// Writes a named binary entry beside the transformer's stream through a callback. The stream handed to the
    /// callback may be closed by it (TorchSharp closes streams): the entry stays intact.
    /// </summary>
    public void WriteBlob(string name, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(write);
        _context.SaveBinaryStream(name, writer =>
        {
            writer.Flush();
            using var stream = new UnclosableStream(writer.BaseStream);
            write(stream);
            stream.Flush();
        });
    }
}
