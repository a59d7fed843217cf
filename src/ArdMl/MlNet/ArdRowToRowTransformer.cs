using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Base of ArdMl's row-to-row transformers: maps each input row to added output columns (which hide same-named
/// input columns), lazily, computing only the output columns a consumer reads. Works with <c>Transform</c>
/// (including parallel cursor sets), with <see cref="PredictionEngine{TSrc, TDst}"/> through
/// <see cref="GetRowToRowMapper"/>, and saves with <c>mlContext.Model.Save</c>.
/// </summary>
public abstract class ArdRowToRowTransformer : ITransformer, ICanSaveModel
{
    private protected ArdRowToRowTransformer(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Host = environment.Register(name);
        Name = name;
    }

    /// <summary>Always true: rows map one to one in a row-to-row mapping (a row-dropping transformer throws there for rows it would drop).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The host for logging (<c>Host.Start(...)</c> channels reach <c>MLContext.Log</c>).</summary>
    private protected IHost Host { get; }

    /// <summary>The transformer's name in messages.</summary>
    private protected string Name { get; }

    /// <summary>The saved format; the same value as the static <c>IArdLoadableTransformer.Format</c>.</summary>
    private protected abstract ModelFormat Format { get; }

    /// <summary>The output schema for <paramref name="inputSchema"/>; throws naming the column when an input column is missing or of the wrong type.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateMapper(inputSchema).OutputSchema;

    /// <summary>A lazily computed view of <paramref name="input"/> with the output columns added.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ArdMappedDataView(CreateMapper(input.Schema), input);
    }

    /// <summary>The row-to-row mapping used by PredictionEngine.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ArdRowToRowMapper(CreateMapper(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx) => ArdModelLoader.Save(ctx, Format, SaveState);

    /// <summary>Binds to an input schema, validating the input columns (throw <see cref="ArgumentOutOfRangeException"/> naming the column).</summary>
    private protected abstract ArdRowMapper CreateMapper(DataViewSchema inputSchema);

    /// <summary>Writes the transformer's configuration and fitted state, read back by its static <c>Load</c>.</summary>
    private protected abstract void SaveState(ModelStateWriter writer);
}
