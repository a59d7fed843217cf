using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using ArdMl.Activations;
using ArdMl.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.Tests.Activations;

/// <summary>Activation shards as Arrow (a Hugging Face dataset saved to disk) and Parquet: round trips, layout, resume, foreign datasets, bad input.</summary>
public sealed class ActivationShardFormatTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ardml-formats-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(ActivationShardFormat.Arrow, ActivationShardDataType.Float32)]
    [InlineData(ActivationShardFormat.Arrow, ActivationShardDataType.Float16)]
    [InlineData(ActivationShardFormat.Parquet, ActivationShardDataType.Float32)]
    [InlineData(ActivationShardFormat.Parquet, ActivationShardDataType.Float16)]
    public void RoundTripKeepsValuesAndManifestFacts(ActivationShardFormat format, ActivationShardDataType type)
    {
        var clips = MakeClips(9, width: 5);
        using (var writer = ActivationShardWriter.Open(_folder, Header(5, type), format, maxFileBytes: 100))
        {
            writer.Format.Should().Be(format);
            foreach (var (id, data, tokens) in clips)
            {
                writer.Write(id, data, tokens, new Dictionary<string, string> { ["path"] = id + ".wav" });
            }
        }

        ActivationShardReader.DetectFormat(_folder).Should().Be(format);
        var reader = ActivationShardReader.Open(_folder);
        reader.Format.Should().Be(format);
        reader.Manifest.Model.Should().Be("m");
        reader.Manifest.Tap.Should().Be("t");
        reader.Manifest.DataType.Should().Be(type);
        reader.Manifest.SampleRate.Should().Be(16000);
        reader.Manifest.Metadata.Should().ContainKey("shard").WhoseValue.Should().Be("0/1");
        reader.Width.Should().Be(5);
        reader.ClipCount.Should().Be(9);
        reader.TokenCount.Should().Be(clips.Sum(c => c.Tokens));
        var read = reader.ReadClips().ToList();
        read.Select(c => c.ClipId).Should().Equal(clips.Select(c => c.Id));
        for (var i = 0; i < clips.Count; i++)
        {
            read[i].Tokens.Should().Be(clips[i].Tokens);
            read[i].Metadata["path"].Should().Be(clips[i].Id + ".wav");
            var expected = type == ActivationShardDataType.Float32 ? clips[i].Data : clips[i].Data.Select(v => (float)(Half)v).ToArray();
            read[i].Data.Should().Equal(expected);
        }

        var dataFiles = Directory.GetFiles(_folder, format == ActivationShardFormat.Arrow ? "*.arrow" : "*.parquet");
        dataFiles.Length.Should().BeGreaterThan(1, "a small size limit rolls over to new data files");
    }

    [Fact]
    public void ArrowFolderHasTheLayoutOfDatasetsSaveToDisk()
    {
        using (var writer = ActivationShardWriter.Open(_folder, Header(4), ActivationShardFormat.Arrow, maxFileBytes: 100))
        {
            foreach (var (id, data, tokens) in MakeClips(4, width: 4))
            {
                writer.Write(id, data, tokens);
            }
        }

        var names = Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var count = names.Count(n => n!.EndsWith(".arrow", StringComparison.Ordinal));
        count.Should().BeGreaterThan(1);
        names.Should().Equal([.. Enumerable.Range(0, count).Select(i => $"data-{i:D5}-of-{count:D5}.arrow"), "dataset_info.json", "state.json"]);

        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "state.json")))!;
        state["_data_files"]!.AsArray().Select(f => f!["filename"]!.GetValue<string>()).Should().Equal(names.Take(count));
        state["_fingerprint"]!.GetValue<string>().Should().HaveLength(16);
        state["_split"].Should().BeNull();

        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "dataset_info.json")))!;
        var features = info["features"]!;
        features["clip"]!["dtype"]!.GetValue<string>().Should().Be("string");
        features["frame"]!["dtype"]!.GetValue<string>().Should().Be("int32");
        features["activations"]!["_type"]!.GetValue<string>().Should().Be("Sequence");
        features["activations"]!["length"]!.GetValue<int>().Should().Be(4);
        features["activations"]!["feature"]!["dtype"]!.GetValue<string>().Should().Be("float32");
        info["ardml"]!["files"]!.AsArray().Should().HaveCount(count).And.OnlyContain(f => f!["sha256"]!.GetValue<string>().Length == 64);

        // Arrow IPC stream format (continuation marker, then the schema message), not the random-access file format.
        var bytes = File.ReadAllBytes(Path.Combine(_folder, names[0]!));
        BitConverter.ToUInt32(bytes, 0).Should().Be(0xFFFFFFFF);
        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        var schema = reader.Schema;
        schema.FieldsList.Select(f => f.Name).Should().Equal("clip", "frame", "activations");
        schema.GetFieldByName("activations").DataType.Should().BeOfType<FixedSizeListType>().Which.ListSize.Should().Be(4);
        JsonNode.Parse(schema.Metadata["huggingface"])!["info"]!["features"]!.ToJsonString().Should().Be(features.ToJsonString());
        using var batch = reader.ReadNextRecordBatch();
        ((StringArray)batch.Column(0)).GetString(0).Should().Be("clip00");
        ((Int32Array)batch.Column(1)).GetValue(1).Should().Be(1);
    }

    [Theory]
    [InlineData(ActivationShardFormat.Arrow)]
    [InlineData(ActivationShardFormat.Parquet)]
    public void ReopeningResumesAndKeepsEveryClip(ActivationShardFormat format)
    {
        var clips = MakeClips(6, width: 3);
        using (var writer = ActivationShardWriter.Open(_folder, Header(3), format))
        {
            foreach (var (id, data, tokens) in clips.Take(3))
            {
                writer.Write(id, data, tokens);
            }
        }

        File.WriteAllText(Path.Combine(_folder, "leftover.arrow.tmp"), "an interrupted file");
        using (var writer = ActivationShardWriter.Open(_folder, Header(3), format))
        {
            writer.ClipCount.Should().Be(3);
            writer.Contains(clips[2].Id).Should().BeTrue();
            writer.Contains(clips[3].Id).Should().BeFalse();
            foreach (var (id, data, tokens) in clips.Skip(3))
            {
                writer.Write(id, data, tokens);
            }
        }

        File.Exists(Path.Combine(_folder, "leftover.arrow.tmp")).Should().BeFalse();
        var read = ActivationShardReader.Open(_folder).ReadClips().ToList();
        read.Select(c => c.ClipId).Should().Equal(clips.Select(c => c.Id));
        read[4].Data.Should().Equal(clips[4].Data);

        var other = () => ActivationShardWriter.Open(_folder, Header(4), format);
        other.Should().Throw<ActivationShardException>().WithMessage("*cannot resume*");
        var otherFormat = () => ActivationShardWriter.Open(_folder, Header(3), ActivationShardFormat.Native);
        otherFormat.Should().Throw<ActivationShardException>().WithMessage($"*holds {format} activations*");
    }

    [Fact]
    public void AnIncompleteArrowFolderIsRefusedUnlessAllowed()
    {
        var writer = ActivationShardWriter.Open(_folder, Header(3), ActivationShardFormat.Arrow, maxFileBytes: 50);
        foreach (var (id, data, tokens) in MakeClips(4, width: 3))
        {
            writer.Write(id, data, tokens);
        }

        // Not completed: the full data files are there, state.json is not.
        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*state.json*did not complete*");
        ActivationShardReader.Open(_folder, allowIncomplete: true).ReadClips().Should().NotBeEmpty();
        writer.Complete();
    }

    [Fact]
    public void SaeLensCachedActivationsAreReadOneSequencePerClip()
    {
        // SAELens's CacheActivationsRunner: one column named after the hook, Array2D(shape=(context, d)), which
        // datasets stores as list<list<dtype>> under the extension name datasets.features.features.Array2DExtensionType.
        const string hook = "blocks.0.hook_mlp_out";
        const int context = 3, d = 4, rows = 5;
        var values = Enumerable.Range(0, rows * context * d).Select(i => (i * 0.25f) - 3).ToArray();
        WriteSaeLensDataset(_folder, hook, context, d, rows, values, files: 2);

        var reader = ActivationShardReader.Open(_folder);
        reader.Format.Should().Be(ActivationShardFormat.Arrow);
        reader.Manifest.Tap.Should().Be(hook);
        reader.Width.Should().Be(d);
        reader.ClipCount.Should().Be(rows * 2);
        reader.TokenCount.Should().Be(rows * 2 * context);
        var clips = reader.ReadClips().ToList();
        clips.Should().HaveCount(rows * 2);
        clips[0].ClipId.Should().Be("data-00000-of-00002.arrow#0");
        clips[0].Tokens.Should().Be(context);
        clips.Take(rows).SelectMany(c => c.Data).Should().Equal(values);
        clips.Skip(rows).SelectMany(c => c.Data).Should().Equal(values);
    }

    [Fact]
    public void ADatasetOfFrameVectorsIsReadOneRecordBatchPerClip()
    {
        var type = new FixedSizeListType(new Field("item", FloatType.Default, true), 2);
        var schema = new Schema([new Field("hidden", type, true), new Field("token_id", Int32Type.Default, true)], null);
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "data-00000-of-00001.arrow");
        using (var stream = File.Create(path))
        using (var writer = new ArrowStreamWriter(stream, schema))
        {
            for (var b = 0; b < 2; b++)
            {
                var flat = new FloatArray.Builder().AppendRange([b, 1, 2, 3, 4, 5]).Build();
                var ids = new Int32Array.Builder().AppendRange([1, 2, 3]).Build();
                writer.WriteRecordBatch(new RecordBatch(schema, [new FixedSizeListArray(type, 3, flat, ArrowBuffer.Empty, 0, 0), ids], 3));
            }

            writer.WriteEnd();
        }

        WriteState(_folder, ["data-00000-of-00001.arrow"]);
        var reader = ActivationShardReader.Open(_folder);
        reader.Manifest.Tap.Should().Be("hidden");
        reader.Width.Should().Be(2);
        var clips = reader.ReadClips().ToList();
        clips.Select(c => c.Tokens).Should().Equal(3, 3);
        clips[1].ClipId.Should().Be("data-00000-of-00001.arrow#3");
        clips[1].Data.Should().Equal(1, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void AFileThatIsNotArrowIsNamedInTheError()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "data-00000-of-00001.arrow"), "id,value\n1,2\n");
        WriteState(_folder, ["data-00000-of-00001.arrow"]);
        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*data-00000-of-00001.arrow*not a*Arrow IPC stream*");
    }

    [Fact]
    public void AFileThatIsNotParquetIsNamedInTheError()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "part-00000.parquet"), "this is not a parquet file at all");
        var act = () => ActivationShardReader.Open(_folder);
        act.Should().Throw<ActivationShardException>().WithMessage("*part-00000.parquet*not a readable Parquet file*");
    }

    [Fact]
    public void AWrongColumnOrWidthIsNamedInTheError()
    {
        using (var writer = ActivationShardWriter.Open(_folder, Header(3), ActivationShardFormat.Arrow))
        {
            writer.Write("a", [1, 2, 3], 1);
        }

        var file = Directory.GetFiles(_folder, "*.arrow").Single();
        IReadOnlyDictionary<string, string> metadata;
        using (var original = new ArrowStreamReader(File.OpenRead(file)))
        {
            metadata = original.Schema.Metadata;
        }

        RewriteArrow(file, metadata, "activations", width: 2);
        var width = () => ActivationShardReader.Open(_folder).ReadClips().ToList();
        width.Should().Throw<ActivationShardException>().WithMessage("*column 'activations' is fixed_size_list<float>[2]; expected fixed_size_list<float>[3]*");

        RewriteArrow(file, metadata, "acts", width: 3);
        var column = () => ActivationShardReader.Open(_folder).ReadClips().ToList();
        column.Should().Throw<ActivationShardException>().WithMessage($"*{Path.GetFileName(file)}*has no column 'activations'*");
    }

    [Fact]
    public void CorruptValuesFailTheirChecksum()
    {
        using (var writer = ActivationShardWriter.Open(_folder, Header(3), ActivationShardFormat.Arrow))
        {
            writer.Write("a", [1.5f, 2.5f, 3.5f], 1);
            writer.Write("b", [7.25f, 8.25f, 9.25f], 1);
        }

        var file = Directory.GetFiles(_folder, "*.arrow").Single();
        var bytes = File.ReadAllBytes(file);
        var target = BitConverter.GetBytes(8.25f);
        var at = bytes.AsSpan().IndexOf(target);
        at.Should().BePositive();
        bytes[at + 3] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var act = () => ActivationShardReader.Open(_folder).ReadClips().ToList();
        act.Should().Throw<ActivationShardException>().WithMessage("*clip 'b'*SHA-256*");
    }

    [Theory]
    [InlineData(ActivationShardFormat.Arrow)]
    [InlineData(ActivationShardFormat.Parquet)]
    public void TheMlNetDataViewReadsEveryFormat(ActivationShardFormat format)
    {
        using (var writer = ActivationShardWriter.Open(_folder, Header(2), format))
        {
            writer.Write("x", [1, 2, 3, 4], 2);
            writer.Write("y", [5, 6], 1);
        }

        var view = new MLContext().Data.LoadFromActivationShards(_folder);
        view.GetRowCount().Should().Be(2);
        using var cursor = view.GetRowCursor(view.Schema);
        var activations = cursor.GetGetter<VBuffer<float>>(view.Schema[ActivationShardDataView.ActivationsColumnName]);
        var frames = cursor.GetGetter<int>(view.Schema[ActivationShardDataView.FrameCountColumnName]);
        VBuffer<float> values = default;
        var frameCount = 0;
        cursor.MoveNext().Should().BeTrue();
        activations(ref values);
        frames(ref frameCount);
        values.DenseValues().Should().Equal(1, 2, 3, 4);
        frameCount.Should().Be(2);
    }

    internal static void WriteSaeLensDataset(string folder, string hook, int context, int d, int rows, float[] values, int files)
    {
        Directory.CreateDirectory(folder);
        var extension = new Dictionary<string, string>
        {
            ["ARROW:extension:name"] = "datasets.features.features.Array2DExtensionType",
            ["ARROW:extension:metadata"] = $"[[{context}, {d}], \"float32\"]",
        };
        var inner = new ListType(new Field("item", FloatType.Default, true));
        var outer = new ListType(new Field("item", inner, true));
        var features = $"{{\"{hook}\": {{\"shape\": [{context}, {d}], \"dtype\": \"float32\", \"_type\": \"Array2D\"}}}}";
        var schema = new Schema([new Field(hook, outer, true, extension)], [new("huggingface", $"{{\"info\": {{\"features\": {features}}}}}")]);
        var names = new List<string>();
        for (var f = 0; f < files; f++)
        {
            var name = $"data-{f:D5}-of-{files:D5}.arrow";
            names.Add(name);
            using var stream = File.Create(Path.Combine(folder, name));
            using var writer = new ArrowStreamWriter(stream, schema);
            var flat = new FloatArray.Builder().AppendRange(values).Build();
            var innerOffsets = new ArrowBuffer.Builder<int>().AppendRange(Enumerable.Range(0, (rows * context) + 1).Select(i => i * d)).Build();
            var innerArray = new ListArray(inner, rows * context, innerOffsets, flat, ArrowBuffer.Empty, 0, 0);
            var outerOffsets = new ArrowBuffer.Builder<int>().AppendRange(Enumerable.Range(0, rows + 1).Select(i => i * context)).Build();
            writer.WriteRecordBatch(new RecordBatch(schema, [new ListArray(outer, rows, outerOffsets, innerArray, ArrowBuffer.Empty, 0, 0)], rows));
            writer.WriteEnd();
        }

        File.WriteAllText(Path.Combine(folder, "dataset_info.json"), $"{{\"citation\": \"\", \"description\": \"\", \"features\": {features}, \"homepage\": \"\", \"license\": \"\"}}");
        WriteState(folder, names);
    }

    private static void WriteState(string folder, IEnumerable<string> files)
    {
        var list = string.Join(", ", files.Select(f => $"{{\"filename\": \"{f}\"}}"));
        File.WriteAllText(
            Path.Combine(folder, "state.json"),
            $"{{\"_data_files\": [{list}], \"_fingerprint\": \"0123456789abcdef\", \"_format_columns\": null, \"_format_kwargs\": {{}}, \"_format_type\": null, \"_output_all_columns\": false, \"_split\": null}}");
    }

    /// <summary>Rewrites an ArdMl Arrow file with its metadata but the activation column renamed or resized.</summary>
    private static void RewriteArrow(string file, IReadOnlyDictionary<string, string> metadata, string column, int width)
    {
        var type = new FixedSizeListType(new Field("item", FloatType.Default, true), width);
        var schema = new Schema([new Field("clip", StringType.Default, true), new Field("frame", Int32Type.Default, true), new Field(column, type, true)], metadata);
        using var stream = File.Create(file);
        using var writer = new ArrowStreamWriter(stream, schema);
        var flat = new FloatArray.Builder().AppendRange(Enumerable.Range(0, width).Select(i => (float)i)).Build();
        writer.WriteRecordBatch(new RecordBatch(
            schema,
            [new StringArray.Builder().Append("a").Build(), new Int32Array.Builder().Append(0).Build(), new FixedSizeListArray(type, 1, flat, ArrowBuffer.Empty, 0, 0)],
            1));
        writer.WriteEnd();
    }

    private static ActivationShardManifest Header(int width, ActivationShardDataType type = ActivationShardDataType.Float32) => new()
    {
        Width = width,
        DataType = type,
        Model = "m",
        Tap = "t",
        SampleRate = 16000,
        Metadata = new Dictionary<string, string> { ["shard"] = "0/1" },
    };

    private static List<(string Id, float[] Data, int Tokens)> MakeClips(int count, int width)
    {
        var random = new Random(3);
        var clips = new List<(string, float[], int)>();
        for (var i = 0; i < count; i++)
        {
            var tokens = i == 1 ? 0 : 1 + random.Next(6);
            clips.Add(($"clip{i:D2}", [.. Enumerable.Range(0, tokens * width).Select(_ => (float)((random.NextDouble() * 8) - 4))], tokens));
        }

        return clips;
    }
}
