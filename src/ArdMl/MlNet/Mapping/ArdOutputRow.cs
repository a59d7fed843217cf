using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// The output values of the current row, written by an <see cref="ArdRowComputation"/> and served to getters.
/// One per cursor (or per row-to-row mapping); buffers are reused from row to row.
/// </summary>
internal sealed class ArdOutputRow
{
    private readonly IReadOnlyList<ArdOutputColumn> _columns;
    private readonly bool[] _active;
    private readonly OutputSlot[] _slots;
    private readonly string _transformerName;
    private readonly bool _canDrop;
    private readonly bool _mapperDropsRows;

    internal ArdOutputRow(ArdRowMapper mapper, bool[] activeOutputs, bool canDrop)
    {
        _columns = mapper.OutputColumns;
        _active = activeOutputs;
        _transformerName = mapper.TransformerName;
        _mapperDropsRows = mapper.DropsRows;
        _canDrop = canDrop && mapper.DropsRows;
        _slots = [.. _columns.Select(OutputSlot.For)];
    }

    /// <summary>The number of output columns.</summary>
    public int Count => _columns.Count;

    /// <summary>Whether output <paramref name="column"/> (index into the mapper's output columns) is requested.</summary>
    public bool IsActive(int column) => _active[column];

    /// <summary>Whether any output is requested.</summary>
    public bool AnyActive => _active.Any(a => a);

    /// <summary>Sets a scalar output (T is the column's raw type: float, int, long, double, bool, ReadOnlyMemory&lt;char&gt;...).</summary>
    public void Set<T>(int column, T value) => Slot<ScalarSlot<T>>(column, typeof(T)).Value = value;

    /// <summary>Sets a text output.</summary>
    public void SetText(int column, string value) => Set(column, value.AsMemory());

    /// <summary>Sets a vector output by copying <paramref name="values"/>.</summary>
    public void SetVector<T>(int column, ReadOnlySpan<T> values) => values.CopyTo(VectorBuffer<T>(column, values.Length));

    /// <summary>
    /// Returns a writable buffer of <paramref name="length"/> values for a vector output, reused from row to row, so
    /// that a computation can write in place. A known-size vector column requires exactly its size.
    /// </summary>
    public Span<T> VectorBuffer<T>(int column, int length)
    {
        var slot = Slot<VectorSlot<T>>(column, typeof(VBuffer<T>));
        if (slot.FixedSize > 0 && length != slot.FixedSize)
        {
            throw new InvalidOperationException($"{_transformerName}: output column '{_columns[column].Name}' holds vectors of size {slot.FixedSize}, but {length} values were written.");
        }

        return slot.Resize(length);
    }

    /// <summary>
    /// Drops the current row, reporting why; returns false so that a computation can <c>return output.Drop(reason)</c>.
    /// Throws where rows cannot be dropped (a row-to-row mapping such as PredictionEngine, or a mapper that does not
    /// declare <see cref="ArdRowMapper.DropsRows"/>).
    /// </summary>
    public bool Drop(string reason)
    {
        if (!_mapperDropsRows)
        {
            throw new InvalidOperationException($"{_transformerName} tried to drop a row ({reason}) but does not declare that it drops rows.");
        }

        if (!_canDrop)
        {
            throw new InvalidOperationException(
                $"{_transformerName} would drop this row ({reason}), but a row-to-row mapping such as a PredictionEngine cannot drop rows. " +
                "Pass only rows it accepts, or apply the transformer to an IDataView with Transform, where such rows are skipped.");
        }

        return false;
    }

    internal void Reset()
    {
        foreach (var slot in _slots)
        {
            slot.Reset();
        }
    }

    internal ValueGetter<TValue> CreateGetter<TValue>(int column, Action ensureComputed)
    {
        if (!_active[column])
        {
            throw new InvalidOperationException($"{_transformerName}: column '{_columns[column].Name}' was not requested from this cursor.");
        }

        return _slots[column].CreateGetter(ensureComputed) as ValueGetter<TValue>
            ?? throw new InvalidOperationException(
                $"Invalid TValue in GetGetter for column '{_columns[column].Name}': '{typeof(TValue)}', expected type: '{_columns[column].Type.RawType}'.");
    }

    private TSlot Slot<TSlot>(int column, Type requested)
        where TSlot : OutputSlot =>
        _slots[column] as TSlot
            ?? throw new InvalidOperationException($"{_transformerName}: output column '{_columns[column].Name}' has type {_columns[column].Type}, which cannot be set from {requested.Name}.");

    private abstract class OutputSlot
    {
        public static OutputSlot For(ArdOutputColumn column)
        {
            return column.Type is VectorDataViewType vector
                ? (OutputSlot)Activator.CreateInstance(typeof(VectorSlot<>).MakeGenericType(vector.ItemType.RawType), vector.Size)!
                : (OutputSlot)Activator.CreateInstance(typeof(ScalarSlot<>).MakeGenericType(column.Type.RawType))!;
        }

        public abstract void Reset();

        public abstract Delegate CreateGetter(Action ensureComputed);
    }

    private sealed class ScalarSlot<T> : OutputSlot
    {
        public T Value { get; set; } = default!;

        public override void Reset() => Value = default!;

        public override Delegate CreateGetter(Action ensureComputed) => (ValueGetter<T>)((ref T value) =>
        {
            ensureComputed();
            value = Value;
        });
    }

    private sealed class VectorSlot<T>(int fixedSize) : OutputSlot
    {
        private T[] _buffer = new T[Math.Max(fixedSize, 0)];
        private int _length;

        public int FixedSize { get; } = fixedSize;

        public Span<T> Resize(int length)
        {
            if (_buffer.Length < length)
            {
                _buffer = new T[Math.Max(length, _buffer.Length * 2)];
            }

            _length = length;
            return _buffer.AsSpan(0, length);
        }

        public override void Reset()
        {
            // A known-size vector always has its size; unset values read as zeros.
            _length = FixedSize;
            _buffer.AsSpan(0, FixedSize).Clear();
        }

        public override Delegate CreateGetter(Action ensureComputed) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            ensureComputed();
            var editor = VBufferEditor.Create(ref value, _length);
            _buffer.AsSpan(0, _length).CopyTo(editor.Values);
            value = editor.Commit();
        });
    }
}
