using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// A cursor over a mapper's output: input columns pass through, output columns are computed lazily from the input
/// row (or eagerly, as the cursor moves, when the mapper drops rows).
/// </summary>
internal sealed class ArdMappedCursor : DataViewRowCursor
{
    private readonly ArdRowMapper _mapper;
    private readonly DataViewRowCursor _input;
    private readonly bool[] _activeOutputs;
    private readonly ArdMappedValues? _values;
    private readonly int _inputCount;
    private long _position = -1;

    internal ArdMappedCursor(ArdRowMapper mapper, DataViewRowCursor input, bool[] activeOutputs)
    {
        _mapper = mapper;
        _input = input;
        _activeOutputs = activeOutputs;
        _inputCount = mapper.InputSchema.Count;
        _values = mapper.DropsRows || activeOutputs.Any(a => a) ? new ArdMappedValues(mapper, input, activeOutputs, canDrop: true) : null;
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => _mapper.OutputSchema;

    /// <inheritdoc />
    public override long Position => _position;

    /// <inheritdoc />
    public override long Batch => _input.Batch;

    /// <inheritdoc />
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _activeOutputs[column.Index - _inputCount];

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputCount)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (column.Index >= Schema.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column index {column.Index} is outside the {Schema.Count} columns of this cursor.");
        }

        return _values is null
            ? throw new InvalidOperationException($"{_mapper.TransformerName}: column '{column.Name}' was not requested from this cursor.")
            : _values.CreateGetter<TValue>(column.Index - _inputCount);
    }

    /// <inheritdoc />
    public override bool MoveNext()
    {
        while (_input.MoveNext())
        {
            if (!_mapper.DropsRows || _values!.EnsureComputed())
            {
                _position++;
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}
