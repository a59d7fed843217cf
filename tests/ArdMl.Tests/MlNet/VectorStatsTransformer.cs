using System.Collections.Concurrent;
using ArdMl.MlNet;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.Tests.MlNet;

/// <summary>
/// A small transformer built on the infrastructure, for its tests: "X" (Single vector) -> "Scaled" (X * scale,
/// variable size), "Length" (Int32), "MinMax" (Single[2] with SlotNames Min, Max). Optionally drops empty rows.
/// Saved format 0x00010001: input column (string), scale (float), drop flag (bool), slot names (string list),
/// offsets (float array), ids (int array), nullable note, and a blob "Scale.bin" holding the scale again.
/// </summary>
public sealed class VectorStatsTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<VectorStatsTransformer>
{
    private static readonly ModelFormat SavedFormat = new("ARDTSTVS", 0x00010001, 0x00010001, 0x00010001, "VectorStats test transformer");
    private static readonly string[] SlotNames = ["Min", "Max"];

    internal VectorStatsTransformer(IHostEnvironment environment, string inputColumn, float scale, bool dropEmpty)
        : base(environment, "VectorStats")
    {
        InputColumn = inputColumn;
        Scale = scale;
        DropEmpty = dropEmpty;
    }

    public string InputColumn { get; }

    public float Scale { get; }

    public bool DropEmpty { get; }

    /// <summary>How many times each output was computed, by column name.</summary>
    public ConcurrentDictionary<string, int> Computations { get; } = new();

    static ModelFormat IArdLoadableTransformer<VectorStatsTransformer>.Format => SavedFormat;

    private protected override ModelFormat Format => SavedFormat;

    static VectorStatsTransformer IArdLoadableTransformer<VectorStatsTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        var input = reader.ReadString();
        var scale = reader.ReadSingle();
        var dropEmpty = reader.ReadBoolean();
        reader.ReadStrings().Should().Equal(SlotNames);
        reader.ReadSingles().Should().Equal(0.5f, -1f);
        reader.ReadInt32s().Should().Equal(7, 8, 9);
        reader.ReadNullableString().Should().BeNull();
        reader.ReadNullableString().Should().Be("note");
        BitConverter.ToSingle(reader.ReadBlob("Scale.bin")).Should().Be(scale);
        return new VectorStatsTransformer(environment, input, scale, dropEmpty);
    }

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(InputColumn);
        writer.Write(Scale);
        writer.Write(DropEmpty);
        writer.Write(SlotNames);
        writer.Write([0.5f, -1f]);
        writer.Write([7, 8, 9]);
        writer.WriteNullable(null);
        writer.WriteNullable("note");
        writer.WriteBlob("Scale.bin", BitConverter.GetBytes(Scale));
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : ArdRowMapper
    {
        private readonly VectorStatsTransformer _parent;

        public Mapper(VectorStatsTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, parent.Name)
        {
            _parent = parent;
            InputColumns = [ArdSchemaShapes.RequireColumn(inputSchema, parent.InputColumn, "a vector of Single",
                type => type is VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw } } && raw == typeof(float))];
            OutputColumns =
            [
                new ArdOutputColumn("Scaled", new VectorDataViewType(NumberDataViewType.Single)),
                new ArdOutputColumn("Length", NumberDataViewType.Int32),
                new ArdOutputColumn("MinMax", new VectorDataViewType(NumberDataViewType.Single, 2), SlotNames),
            ];
        }

        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

        public override bool DropsRows => _parent.DropEmpty;

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output)
        {
            var getter = input.GetGetter<VBuffer<float>>(InputColumns[0]);
            var values = default(VBuffer<float>);
            var counts = _parent.Computations;
            var scale = _parent.Scale;
            return row =>
            {
                getter(ref values);
                var dense = values.DenseValues().ToArray();
                if (dense.Length == 0 && _parent.DropEmpty)
                {
                    return row.Drop("the vector is empty");
                }

                if (row.IsActive(0))
                {
                    counts.AddOrUpdate("Scaled", 1, (_, n) => n + 1);
                    var scaled = row.VectorBuffer<float>(0, dense.Length);
                    for (var i = 0; i < dense.Length; i++)
                    {
                        scaled[i] = dense[i] * scale;
                    }
                }

                if (row.IsActive(1))
                {
                    counts.AddOrUpdate("Length", 1, (_, n) => n + 1);
                    row.Set(1, dense.Length);
                }

                if (row.IsActive(2))
                {
                    counts.AddOrUpdate("MinMax", 1, (_, n) => n + 1);
                    row.SetVector<float>(2, dense.Length == 0 ? [0f, 0f] : [dense.Min(), dense.Max()]);
                }

                return true;
            };
        }
    }
}

/// <summary>The estimator of <see cref="VectorStatsTransformer"/>: "fits" the scale as 1 / max |x|.</summary>
public sealed class VectorStatsEstimator : ArdEstimator<VectorStatsTransformer>
{
    private readonly string _inputColumn;
    private readonly bool _dropEmpty;

    public VectorStatsEstimator(IHostEnvironment environment, string inputColumn, bool dropEmpty = false)
        : base(environment, "VectorStats")
    {
        _inputColumn = inputColumn;
        _dropEmpty = dropEmpty;
    }

    public int FitCalls { get; private set; }

    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArdSchemaShapes.RequireColumn(inputSchema, _inputColumn, "a vector of Single", c => ArdSchemaShapes.IsVectorOf(c, NumberDataViewType.Single));
        return ArdSchemaShapes.WithOutputs(inputSchema,
        [
            new ArdOutputColumn("Scaled", new VectorDataViewType(NumberDataViewType.Single)),
            new ArdOutputColumn("Length", NumberDataViewType.Int32),
            new ArdOutputColumn("MinMax", new VectorDataViewType(NumberDataViewType.Single, 2), ["Min", "Max"]),
        ]);
    }

    private protected override VectorStatsTransformer FitCore(IDataView input)
    {
        FitCalls++;
        var max = 0f;
        using var cursor = input.GetRowCursor([input.Schema[_inputColumn]]);
        var getter = cursor.GetGetter<VBuffer<float>>(input.Schema[_inputColumn]);
        var values = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref values);
            foreach (var value in values.DenseValues())
            {
                max = Math.Max(max, Math.Abs(value));
            }
        }

        return new VectorStatsTransformer(Host, _inputColumn, max == 0 ? 1f : 1f / max, _dropEmpty);
    }
}
