using Microsoft.ML;
using ArdMl.MlNet.Mapping;
using Microsoft.ML.Data;

namespace ArdMl.MlNet.Internals;

/// <summary>
/// Builds <see cref="SchemaShape"/> values for estimators' <c>GetOutputSchema</c> (the column constructor is
/// internal to ML.NET) and checks input columns before Fit.
/// </summary>
internal static class ArdSchemaShapes
{
    /// <summary>The shape of a data view's schema (what <c>Fit</c> checks against <c>GetOutputSchema</c>).</summary>
    public static SchemaShape FromSchema(DataViewSchema schema) => SchemaShape.Create(schema);

    /// <summary>The shape of one output column, with a SlotNames annotation when it has slot names.</summary>
    public static SchemaShape.Column ToShape(ArdOutputColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var (kind, itemType) = column.Type switch
        {
            VectorDataViewType { Size: > 0 } vector => (SchemaShape.Column.VectorKind.Vector, vector.ItemType),
            VectorDataViewType vector => (SchemaShape.Column.VectorKind.VariableVector, vector.ItemType),
            var scalar => (SchemaShape.Column.VectorKind.Scalar, scalar),
        };
        var annotations = column.SlotNames is null
            ? new SchemaShape([])
            : new SchemaShape([new SchemaShape.Column(ArdRowMapper.SlotNamesKind, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]);
        return new SchemaShape.Column(column.Name, kind, itemType, itemType is KeyDataViewType, annotations);
    }

    /// <summary>
    /// The input shape with <paramref name="outputs"/> added; an output replaces an input column of the same name, as
    /// the transformer's output hides it.
    /// </summary>
    public static SchemaShape WithOutputs(SchemaShape input, IEnumerable<ArdOutputColumn> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        var columns = input.ToDictionary(c => c.Name);
        foreach (var output in outputs)
        {
            columns[output.Name] = ToShape(output);
        }

        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// Returns the input column <paramref name="name"/> of <paramref name="input"/> after checking it with
    /// <paramref name="accepts"/>; throws <see cref="ArgumentOutOfRangeException"/> naming the column, the expected
    /// and the actual type when it is missing or of the wrong type.
    /// </summary>
    public static SchemaShape.Column RequireColumn(SchemaShape input, string name, string expected, Func<SchemaShape.Column, bool> accepts, string parameterName = "inputSchema")
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.TryFindColumn(name, out var column))
        {
            throw new ArgumentOutOfRangeException(parameterName, $"Input column '{name}' was not found; expected a column of type {expected}.");
        }

        if (!accepts(column))
        {
            throw new ArgumentOutOfRangeException(parameterName, $"Input column '{name}' has type {column.GetTypeString()}; expected {expected}.");
        }

        return column;
    }

    /// <summary>
    /// Returns the (visible) input column <paramref name="name"/> of <paramref name="schema"/> after checking its type
    /// with <paramref name="accepts"/>; throws <see cref="ArgumentOutOfRangeException"/> naming the column, the expected
    /// and the actual type otherwise.
    /// </summary>
    public static DataViewSchema.Column RequireColumn(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts, string parameterName = "inputSchema")
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(parameterName, $"Input column '{name}' was not found; expected a column of type {expected}.");
        if (!accepts(column.Type))
        {
            throw new ArgumentOutOfRangeException(parameterName, $"Input column '{name}' has type {column.Type}; expected {expected}.");
        }

        return column;
    }

    /// <summary>Whether a shape is a scalar of <paramref name="itemType"/>.</summary>
    public static bool IsScalarOf(SchemaShape.Column column, DataViewType itemType) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar && column.ItemType.Equals(itemType) && !column.IsKey;

    /// <summary>Whether a shape is a vector (fixed or variable size) of <paramref name="itemType"/>.</summary>
    public static bool IsVectorOf(SchemaShape.Column column, DataViewType itemType) =>
        column.Kind != SchemaShape.Column.VectorKind.Scalar && column.ItemType.Equals(itemType) && !column.IsKey;
}
