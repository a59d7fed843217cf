using System.Runtime.InteropServices;

namespace ArdMl.Activations;

/// <summary>
/// A float buffer on the pinned object heap whose first value is 64-byte aligned, for model inputs. ONNX Runtime's CPU
/// kernels may sum in an order that depends on where an input starts in memory (a vectorised head and tail); feeding
/// every input at one alignment makes the results independent of where the runtime placed the buffer, so they are the
/// same in every run and for every worker count.
/// </summary>
internal sealed class AlignedTensorBuffer
{
    private const int Alignment = 64;
    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed values.</summary>
    public AlignedTensorBuffer(int length)
    {
        Length = length;
        _array = GC.AllocateArray<float>(length + (Alignment / sizeof(float)), pinned: true);
        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        try
        {
            var address = handle.AddrOfPinnedObject().ToInt64();
            _offset = (int)(((Alignment - (address % Alignment)) % Alignment) / sizeof(float));
        }
        finally
        {
            handle.Free(); // arrays on the pinned object heap never move.
        }
    }

    /// <summary>Number of values.</summary>
    public int Length { get; }

    /// <summary>The values.</summary>
    public Span<float> Span => _array.AsSpan(_offset, Length);

    /// <summary>The first <paramref name="count"/> values as memory (for an OrtValue).</summary>
    public Memory<float> Memory(int count) => _array.AsMemory(_offset, count);

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => Span.ToArray();
}
