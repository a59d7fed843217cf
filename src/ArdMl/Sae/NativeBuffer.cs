using System.Runtime.InteropServices;

namespace ArdMl.Sae;

/// <summary>A 64-byte aligned, zero-initialised native buffer of floats (or ints), freed on dispose.</summary>
internal sealed unsafe class NativeBuffer<T> : IDisposable
    where T : unmanaged
{
    private void* _pointer;

    public NativeBuffer(long length)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length cannot be negative.");
        }

        Length = length;
        nuint bytes = (nuint)Math.Max(1, length * sizeof(T));
        _pointer = NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(_pointer, bytes);
    }

    public long Length { get; }

    public T* Pointer => _pointer != null ? (T*)_pointer : throw new ObjectDisposedException(nameof(NativeBuffer<T>));

    public Span<T> Span => Length <= int.MaxValue
        ? new Span<T>(Pointer, (int)Length)
        : throw new InvalidOperationException($"A buffer of {Length} elements is too long for a span.");

    public Span<T> Slice(long start, int length) => new(Pointer + start, length);

    public void Clear() => NativeMemory.Clear(Pointer, (nuint)(Length * sizeof(T)));

    ~NativeBuffer() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
