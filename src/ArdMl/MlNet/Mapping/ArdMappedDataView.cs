using Microsoft.ML;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// The lazy result of a row-to-row transformer's <c>Transform</c>: nothing is computed until a cursor reads an
/// output column. Parallel cursor sets get one computation per cursor, so the mapper is shared read-only.
/// </summary>
internal sealed class ArdMappedDataView(ArdRowMapper mapper, IDataView input) : IDataView
{
    /// <inheritdoc />
    public bool CanShuffle => input.CanShuffle;

    /// <inheritdoc />
    public DataViewSchema Schema => mapper.OutputSchema;

    /// <inheritdoc />
    public long? GetRowCount() => mapper.DropsRows ? null : input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (requested, active) = Resolve(columnsNeeded);
        return new ArdMappedCursor(mapper, input.GetRowCursor(mapper.InputColumnsFor(requested, active), rand), active);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (requested, active) = Resolve(columnsNeeded);
        return [.. input.GetRowCursorSet(mapper.InputColumnsFor(requested, active), n, rand)
            .Select(cursor => (DataViewRowCursor)new ArdMappedCursor(mapper, cursor, (bool[])active.Clone()))];
    }

    private (List<DataViewSchema.Column> Requested, bool[] Active) Resolve(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var requested = columnsNeeded.ToList();
        return (requested, mapper.ActiveOutputs(requested));
    }
}
