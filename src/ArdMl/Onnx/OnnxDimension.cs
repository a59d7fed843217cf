namespace ArdMl.Onnx;

/// <summary>One axis of an ONNX value's shape: a fixed size or a symbolic name (e.g. "batch", "samples").</summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(long? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic axis.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name, or null for a fixed axis.</summary>
    public string? Symbol { get; }

    /// <summary>A fixed axis.</summary>
    public static OnnxDimension Fixed(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return new OnnxDimension(size, null);
    }

    /// <summary>A symbolic axis whose size is known only at run time.</summary>
    public static OnnxDimension Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDimension(null, name);
    }

    /// <summary>A fixed axis.</summary>
    public static implicit operator OnnxDimension(long size) => Fixed(size);

    /// <summary>A symbolic axis.</summary>
    public static implicit operator OnnxDimension(string name) => Symbolic(name);

    /// <inheritdoc/>
    public override string ToString() => Symbol ?? Size!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
