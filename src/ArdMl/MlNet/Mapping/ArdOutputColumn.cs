using Microsoft.ML.Data;

namespace ArdMl.MlNet.Mapping;

/// <summary>
/// One column a row mapper adds. A column with the name of an input column hides that input column.
/// </summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">Its type: a scalar type, or <see cref="VectorDataViewType"/> of known size or of size 0 (variable).</param>
/// <param name="SlotNames">Optional SlotNames annotation; needs a vector of known size with one name per slot.</param>
internal sealed record ArdOutputColumn(string Name, DataViewType Type, IReadOnlyList<string>? SlotNames = null)
{
    /// <summary>Checks the column definition: a non-empty name, slot names only on a known-size vector of matching size.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("An output column needs a non-empty name.");
        }

        if (SlotNames is not null && (Type is not VectorDataViewType { Size: > 0 } vector || vector.Size != SlotNames.Count))
        {
            throw new ArgumentException($"Output column '{Name}' of type {Type} cannot carry {SlotNames.Count} slot names: slot names need a vector of that known size.");
        }
    }
}
