using Microsoft.ML;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// Runs a mapper's computation at most once per input row (keyed by the input row's position) and serves the output
/// getters from the result. Owned by one cursor or row, so it needs no locking.
/// </summary>
internal sealed class ArdMappedValues
{
    private readonly DataViewRow _input;
    private readonly ArdOutputRow _output;
    private readonly ArdRowComputation _computation;
    private long _computedPosition = -1;
    private bool _kept;

    internal ArdMappedValues(ArdRowMapper mapper, DataViewRow input, bool[] activeOutputs, bool canDrop)
    {
        _input = input;
        _output = new ArdOutputRow(mapper, activeOutputs, canDrop);
        _computation = mapper.CreateComputation(input, _output);
    }

    /// <summary>Computes the current input row if not done yet; false when the computation dropped it.</summary>
    public bool EnsureComputed()
    {
        var position = _input.Position;
        if (position != _computedPosition || position < 0)
        {
            _output.Reset();
            _kept = _computation(_output);
            _computedPosition = position;
        }

        return _kept;
    }

    /// <summary>A getter of output column <paramref name="outputIndex"/> that computes the row on first use.</summary>
    public ValueGetter<TValue> CreateGetter<TValue>(int outputIndex) =>
        _output.CreateGetter<TValue>(outputIndex, () => EnsureComputed());
}
