using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// The <see cref="IRowToRowMapper"/> of a row-to-row transformer, used by PredictionEngine: outputs are computed
/// from the input row on first access and recomputed when the input row's position changes. A mapper that drops
/// rows throws a clear <see cref="InvalidOperationException"/> for a row it would drop.
/// </summary>
internal sealed class ArdRowToRowMapper(ArdRowMapper mapper) : IRowToRowMapper
{
    /// <inheritdoc />
    public DataViewSchema InputSchema => mapper.InputSchema;

    /// <inheritdoc />
    public DataViewSchema OutputSchema => mapper.OutputSchema;

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var requested = dependingColumns.ToList();
        return mapper.InputColumnsFor(requested, mapper.ActiveOutputs(requested));
    }

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new MappedRow(mapper, input, mapper.ActiveOutputs(activeColumns));
    }

    private sealed class MappedRow : DataViewRow
    {
        private readonly ArdRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly bool[] _activeOutputs;
        private readonly int _inputCount;
        private ArdMappedValues? _values;

        public MappedRow(ArdRowMapper mapper, DataViewRow input, bool[] activeOutputs)
        {
            _mapper = mapper;
            _input = input;
            _activeOutputs = activeOutputs;
            _inputCount = mapper.InputSchema.Count;
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _activeOutputs[column.Index - _inputCount];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            column.Index < _inputCount
                ? _input.GetGetter<TValue>(_input.Schema[column.Index])
                : (_values ??= new ArdMappedValues(_mapper, _input, _activeOutputs, canDrop: false)).CreateGetter<TValue>(column.Index - _inputCount);
    }
}
