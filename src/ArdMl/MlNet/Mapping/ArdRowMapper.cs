using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// Computes the output columns of one row from the input row: returns true to keep the row, or
/// <c>output.Drop(reason)</c> (false) to drop it when the mapper <see cref="ArdRowMapper.DropsRows"/>.
/// </summary>
internal delegate bool ArdRowComputation(ArdOutputRow output);

/// <summary>
/// The per-schema half of a row-to-row transformer: validated against one input schema, it names the output columns
/// and the input columns they read, and creates one <see cref="ArdRowComputation"/> per cursor or row. Instances are
/// shared by parallel cursors, so they must be immutable; per-cursor state (getters, buffers) lives in the closure
/// returned by <see cref="CreateComputation"/>.
/// </summary>
internal abstract class ArdRowMapper
{
    /// <summary>The annotation kind ML.NET uses for slot names.</summary>
    public const string SlotNamesKind = "SlotNames";

    private readonly Lazy<DataViewSchema> _outputSchema;

    /// <summary>Binds the mapper to an input schema.</summary>
    /// <param name="inputSchema">The schema of the data the mapper reads.</param>
    /// <param name="transformerName">Name used in messages (e.g. "LoadAudio").</param>
    protected ArdRowMapper(DataViewSchema inputSchema, string transformerName)
    {
        InputSchema = inputSchema ?? throw new ArgumentNullException(nameof(inputSchema));
        TransformerName = transformerName;
        _outputSchema = new Lazy<DataViewSchema>(BuildOutputSchema);
    }

    /// <summary>The input schema.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Name used in messages.</summary>
    public string TransformerName { get; }

    /// <summary>The columns added, in order.</summary>
    public abstract IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

    /// <summary>The input columns read by <see cref="CreateComputation"/>.</summary>
    public abstract IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

    /// <summary>
    /// Whether the mapper may drop rows. Then every row is computed as the cursor moves (so that the row set does not
    /// depend on the active columns), the row count is unknown, and a row-to-row mapping (PredictionEngine) throws
    /// a clear error for a row that would be dropped.
    /// </summary>
    public virtual bool DropsRows => false;

    /// <summary>The input columns followed by <see cref="OutputColumns"/> (which hide same-named input columns).</summary>
    public DataViewSchema OutputSchema => _outputSchema.Value;

    /// <summary>
    /// Creates the computation for one cursor or row over <paramref name="input"/>: take the getters of
    /// <see cref="InputColumns"/> here and capture any reusable buffers. Called once per cursor; never shared
    /// between threads. Compute only the outputs for which <see cref="ArdOutputRow.IsActive"/> is true.
    /// </summary>
    public abstract ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output);

    /// <summary>Which outputs are requested among columns of <see cref="OutputSchema"/>.</summary>
    internal bool[] ActiveOutputs(IEnumerable<DataViewSchema.Column> requested)
    {
        var active = new bool[OutputColumns.Count];
        foreach (var column in requested)
        {
            var output = column.Index - InputSchema.Count;
            if (output >= 0 && output < active.Length)
            {
                active[output] = true;
            }
        }

        return active;
    }

    /// <summary>The input columns needed to serve <paramref name="requested"/> columns of <see cref="OutputSchema"/>.</summary>
    internal IEnumerable<DataViewSchema.Column> InputColumnsFor(IEnumerable<DataViewSchema.Column> requested, bool[] activeOutputs)
    {
        var needed = new Dictionary<int, DataViewSchema.Column>();
        foreach (var column in requested)
        {
            if (column.Index < InputSchema.Count)
            {
                needed[column.Index] = InputSchema[column.Index];
            }
        }

        if (DropsRows || activeOutputs.Any(a => a))
        {
            foreach (var column in InputColumns)
            {
                needed[column.Index] = column;
            }
        }

        return needed.Values;
    }

    private DataViewSchema BuildOutputSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(InputSchema);
        foreach (var column in OutputColumns)
        {
            column.Validate();
            DataViewSchema.Annotations? annotations = null;
            if (column.SlotNames is { } names)
            {
                var annotationBuilder = new DataViewSchema.Annotations.Builder();
                var slotNames = names.Select(n => n.AsMemory()).ToArray();
                annotationBuilder.Add(SlotNamesKind, new VectorDataViewType(TextDataViewType.Instance, slotNames.Length),
                    (ref VBuffer<ReadOnlyMemory<char>> value) => new VBuffer<ReadOnlyMemory<char>>(slotNames.Length, slotNames).CopyTo(ref value));
                annotations = annotationBuilder.ToAnnotations();
            }

            builder.AddColumn(column.Name, column.Type, annotations);
        }

        return builder.ToSchema();
    }
}
