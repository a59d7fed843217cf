using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.MlNet;

/// <summary>The row-to-row transformer infrastructure (ArdRowToRowTransformer, ArdEstimator, persistence) through a small transformer.</summary>
public sealed class RowToRowTransformerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-mlnet-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public sealed class Input
    {
        [VectorType]
        public float[] X { get; set; } = [];

        public string Length { get; set; } = "hidden";
    }

    public sealed class Output
    {
        [VectorType]
        public float[] Scaled { get; set; } = [];

        public int Length { get; set; }

        [VectorType(2)]
        public float[] MinMax { get; set; } = [];
    }

    private static Input[] Rows =>
    [
        new() { X = [1, -2, 4] },
        new() { X = [] },
        new() { X = [0.5f, 8] },
        new() { X = [-8] },
    ];

    [Fact]
    public void Outputs_are_added_and_hide_same_named_input_columns()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);

        var transformed = new VectorStatsEstimator(ml, "X").Fit(data).Transform(data);

        transformed.Schema["Length"].Type.Should().Be(NumberDataViewType.Int32, "the output hides the text input column 'Length'");
        transformed.Schema.Count(c => c.Name == "Length").Should().Be(2);
        transformed.Schema.Single(c => c.Name == "Length" && c.IsHidden).Type.Should().Be(TextDataViewType.Instance);
        var outputs = ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: false).ToList();
        outputs.Select(o => o.Length).Should().Equal(3, 0, 2, 1);
        outputs[0].Scaled.Should().Equal(1 / 8f, -2 / 8f, 4 / 8f);
        outputs[1].Scaled.Should().BeEmpty();
        outputs[2].MinMax.Should().Equal(0.5f, 8f);
    }

    [Fact]
    public void Only_the_requested_output_columns_are_computed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = new VectorStatsEstimator(ml, "X").Fit(data);
        var transformed = transformer.Transform(data);
        transformer.Computations.Should().BeEmpty("Transform is lazy");

        var lengths = transformed.GetColumn<int>("Length").ToList();

        lengths.Should().HaveCount(4);
        transformer.Computations.Should().ContainKey("Length").WhoseValue.Should().Be(4);
        transformer.Computations.Should().NotContainKey("Scaled").And.NotContainKey("MinMax");
    }

    [Fact]
    public void Output_slot_names_are_annotated_and_survive_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = new VectorStatsEstimator(ml, "X").Fit(data);
        var path = Path.Combine(_directory, "stats.zip");
        ml.Model.Save(transformer, data.Schema, path);

        var loaded = new MLContext(seed: 2).Model.Load(path, out _);

        foreach (var schema in new[] { transformer.GetOutputSchema(data.Schema), loaded.GetOutputSchema(data.Schema) })
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            schema["MinMax"].GetSlotNames(ref names);
            names.DenseValues().Select(n => n.ToString()).Should().Equal("Min", "Max");
        }
    }

    [Fact]
    public void A_saved_transformer_loads_in_a_new_context_and_gives_identical_outputs()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = new VectorStatsEstimator(ml, "X").Fit(data);
        var path = Path.Combine(_directory, "stats.zip");
        ml.Model.Save(transformer, data.Schema, path);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out var inputSchema);

        loaded.Should().BeOfType<VectorStatsTransformer>().Which.Scale.Should().Be(transformer.Scale);
        inputSchema["X"].Type.Should().BeOfType<VectorDataViewType>();
        Read(fresh, loaded.Transform(fresh.Data.LoadFromEnumerable(Rows))).Should().BeEquivalentTo(Read(ml, transformer.Transform(data)), o => o.WithStrictOrdering());
    }

    [Fact]
    public void A_chain_with_ml_net_transforms_round_trips_through_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var pipeline = new VectorStatsEstimator(ml, "X")
            .Append(ml.Transforms.Conversion.ConvertType("LengthF", "Length", DataKind.Single))
            .Append(ml.Transforms.Concatenate("Features", "MinMax", "LengthF"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));
        var model = pipeline.Fit(data);
        var path = Path.Combine(_directory, "chain.zip");
        ml.Model.Save(model, data.Schema, path);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(path, out _);

        var expected = model.Transform(data).GetColumn<float[]>("Features").ToList();
        var actual = loaded.Transform(fresh.Data.LoadFromEnumerable(Rows)).GetColumn<float[]>("Features").ToList();
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        expected.SelectMany(v => v).Should().OnlyContain(v => v >= -1 && v <= 1).And.Contain(v => v != 0);
    }

    [Fact]
    public void PredictionEngine_maps_single_rows()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = new VectorStatsEstimator(ml, "X").Fit(data);

        using var engine = ml.Model.CreatePredictionEngine<Input, Output>(transformer);

        engine.Predict(new Input { X = [2, 3] }).Length.Should().Be(2);
        var second = engine.Predict(new Input { X = [-4, 1, 1, 1] });
        second.Length.Should().Be(4, "outputs are recomputed for each new input row");
        second.MinMax.Should().Equal(-4f, 1f);
        second.Scaled.Should().Equal(-4 / 8f, 1 / 8f, 1 / 8f, 1 / 8f);
    }

    [Fact]
    public void A_row_dropping_transformer_skips_rows_in_Transform()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);

        var transformed = new VectorStatsEstimator(ml, "X", dropEmpty: true).Fit(data).Transform(data);

        transformed.GetRowCount().Should().BeNull("the number of kept rows is not known in advance");
        transformed.GetColumn<int>("Length").Should().Equal(3, 2, 1);
        transformed.GetColumn<float[]>("X").Should().HaveCount(3, "the same rows are dropped whichever columns are read");
    }

    [Fact]
    public void A_row_dropping_transformer_fails_clearly_in_a_PredictionEngine_for_a_row_it_would_drop()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformer = new VectorStatsEstimator(ml, "X", dropEmpty: true).Fit(data);
        using var engine = ml.Model.CreatePredictionEngine<Input, Output>(transformer);

        engine.Predict(new Input { X = [1] }).Length.Should().Be(1);
        var predictEmpty = () => engine.Predict(new Input { X = [] });

        predictEmpty.Should().Throw<InvalidOperationException>().WithMessage("*would drop this row (the vector is empty)*PredictionEngine cannot drop rows*");
    }

    [Fact]
    public void Parallel_cursors_compute_the_same_values_as_one_cursor()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 2000).Select(i => new Input { X = [.. Enumerable.Range(0, (i % 7) + 1).Select(j => (float)((i * 31 + j * 17) % 101))] }).ToArray();
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows));
        var transformed = new VectorStatsEstimator(ml, "X").Fit(data).Transform(data);
        var expected = transformed.GetColumn<float[]>("Scaled").Select(v => string.Join(",", v)).ToList();

        var columns = new[] { transformed.Schema["Scaled"] };
        var cursors = transformed.GetRowCursorSet(columns, 4);
        var results = new System.Collections.Concurrent.ConcurrentBag<(ulong Id, string Values)>();
        Parallel.ForEach(cursors, cursor =>
        {
            using (cursor)
            {
                var getter = cursor.GetGetter<VBuffer<float>>(columns[0]);
                var id = cursor.GetIdGetter();
                var values = default(VBuffer<float>);
                var rowId = default(DataViewRowId);
                while (cursor.MoveNext())
                {
                    getter(ref values);
                    id(ref rowId);
                    results.Add((rowId.Low, string.Join(",", values.DenseValues())));
                }
            }
        });

        cursors.Length.Should().BeGreaterThan(1, "the cached view serves a cursor set");
        results.OrderBy(r => r.Id).Select(r => r.Values).Should().Equal(expected);
    }

    [Fact]
    public void Fit_checks_the_input_column_type_before_fitting()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var estimator = new VectorStatsEstimator(ml, "Length");

        var fit = () => estimator.Fit(data);

        fit.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Input column 'Length' has type String; expected a vector of Single.*");
        estimator.FitCalls.Should().Be(0);
    }

    [Fact]
    public void GetOutputSchema_names_a_missing_column()
    {
        var ml = new MLContext(seed: 1);
        var shape = ArdMl.MlNet.Internals.ArdSchemaShapes.FromSchema(ml.Data.LoadFromEnumerable(Rows).Schema);

        var check = () => new VectorStatsEstimator(ml, "Audio").GetOutputSchema(shape);

        check.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Input column 'Audio' was not found; expected a column of type a vector of Single.*");
    }

    [Fact]
    public void GetOutputSchema_describes_the_outputs()
    {
        var ml = new MLContext(seed: 1);
        var shape = ArdMl.MlNet.Internals.ArdSchemaShapes.FromSchema(ml.Data.LoadFromEnumerable(Rows).Schema);

        var output = new VectorStatsEstimator(ml, "X").GetOutputSchema(shape);

        output.Single(c => c.Name == "Scaled").Kind.Should().Be(SchemaShape.Column.VectorKind.VariableVector);
        output.Single(c => c.Name == "Length").ItemType.Should().Be(NumberDataViewType.Int32);
        var minMax = output.Single(c => c.Name == "MinMax");
        minMax.Kind.Should().Be(SchemaShape.Column.VectorKind.Vector);
        minMax.Annotations.Should().ContainSingle(a => a.Name == "SlotNames");
    }

    [Fact]
    public void A_getter_of_the_wrong_type_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var transformed = new VectorStatsEstimator(ml, "X").Fit(data).Transform(data);
        using var cursor = transformed.GetRowCursor([transformed.Schema["Length"]]);

        var getter = () => cursor.GetGetter<float>(transformed.Schema["Length"]);

        getter.Should().Throw<InvalidOperationException>().WithMessage("*'Length'*Int32*");
    }

    private static List<Output> Read(MLContext ml, IDataView view) => [.. ml.Data.CreateEnumerable<Output>(view, reuseRowObject: false)];
}
