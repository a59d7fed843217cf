using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Steering;

/// <summary>A tensor copied out of ONNX Runtime: element type, shape and a managed array of the elements (row-major).</summary>
public sealed class OnnxTensorData
{
    private OnnxTensorData(string name, TensorElementType elementType, long[] shape, Array data)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        Data = data;
    }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions.</summary>
    public long[] Shape { get; }

    /// <summary>The elements (float[], double[], long[], int[], short[], sbyte[], byte[] or bool[]).</summary>
    public Array Data { get; }

    /// <summary>The elements as floats.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not of type float.</exception>
    public float[] AsSingles() => Data as float[] ?? throw new InvalidOperationException(
        $"Tensor '{Name}' has element type {ElementType}, not Float.");

    /// <summary>Creates a float tensor.</summary>
    public static OnnxTensorData FromSingles(string name, float[] data, long[] shape)
    {
        CheckLength(name, data.Length, shape);
        return new OnnxTensorData(name, TensorElementType.Float, shape, data);
    }

    /// <summary>Creates an int64 tensor.</summary>
    public static OnnxTensorData FromInt64(string name, long[] data, long[] shape)
    {
        CheckLength(name, data.Length, shape);
        return new OnnxTensorData(name, TensorElementType.Int64, shape, data);
    }

    /// <summary>Creates an int32 tensor.</summary>
    public static OnnxTensorData FromInt32(string name, int[] data, long[] shape)
    {
        CheckLength(name, data.Length, shape);
        return new OnnxTensorData(name, TensorElementType.Int32, shape, data);
    }

    /// <summary>Creates an ONNX Runtime value over this tensor's array (the array is pinned while the value lives).</summary>
    public OrtValue ToOrtValue() => Data switch
    {
        float[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        double[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        long[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        int[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        short[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        sbyte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        byte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        bool[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        _ => throw new NotSupportedException($"Tensor '{Name}' of element type {ElementType} cannot be fed back."),
    };

    /// <summary>Copies an ONNX Runtime tensor.</summary>
    /// <exception cref="NotSupportedException">The value is not a tensor of a supported numeric or boolean type.</exception>
    public static OnnxTensorData Copy(string name, OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Value '{name}' is not a tensor.");
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        Array data = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Int16 => value.GetTensorDataAsSpan<short>().ToArray(),
            TensorElementType.Int8 => value.GetTensorDataAsSpan<sbyte>().ToArray(),
            TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            _ => throw new NotSupportedException($"Tensor '{name}' has element type {info.ElementDataType}, which is not supported here."),
        };
        return new OnnxTensorData(name, info.ElementDataType, shape, data);
    }

    private static void CheckLength(string name, long length, long[] shape)
    {
        long expected = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative dimension in [{string.Join(", ", shape)}].");
            }

            expected *= d;
        }

        if (expected != length)
        {
            throw new ArgumentException($"Tensor '{name}' of shape [{string.Join(", ", shape)}] needs {expected} elements; got {length}.");
        }
    }
}
