using ArdMl.MlNet;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.Tests.MlNet;

/// <summary>The loader dispatch and its errors: format versions, truncated state, missing blobs.</summary>
public sealed class ModelPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ardml-persist-").FullName;

    public void Dispose()
    {
        FormatProbeTransformer.Reset();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Every_registered_format_has_a_unique_eight_character_signature()
    {
        ArdModelLoader.Formats.Should().Contain(f => f.ModelSignature == "ARDAUDIO");
        ArdModelLoader.Formats.Select(f => f.ModelSignature).Should().OnlyHaveUniqueItems().And.OnlyContain(s => s.Length == 8);
    }

    [Fact]
    public void A_model_written_by_a_newer_format_is_refused_with_the_versions()
    {
        FormatProbeTransformer.SaveFormat = FormatProbeTransformer.SaveFormat with { CurrentVersion = 0x00010003, ReadableByVersion = 0x00010003 };
        var load = SaveThenLoad();

        load.Should().Throw<Exception>().Where(e => Describe(e).Contains("needs a reader of version 0x00010003 or later", StringComparison.Ordinal)
            && Describe(e).Contains("FormatProbe", StringComparison.Ordinal));
    }

    [Fact]
    public void ArdModelFile_refuses_a_newer_format_naming_the_file_and_the_versions()
    {
        FormatProbeTransformer.SaveFormat = FormatProbeTransformer.SaveFormat with { CurrentVersion = 0x00010003, ReadableByVersion = 0x00010003 };
        var path = SaveProbe();
        var load = () => ArdModelFile.Load(new MLContext(), path, out _);

        load.Should().Throw<ModelFileException>().Which.Message.Should().StartWith($"Model '{path}': cannot be loaded: The saved FormatProbe test transformer")
            .And.Contain("needs a reader of version 0x00010003 or later").And.Contain("Update ArdMl");
    }

    [Fact]
    public void A_model_older_than_the_oldest_readable_format_is_refused()
    {
        FormatProbeTransformer.LoadFormat = FormatProbeTransformer.LoadFormat with { CurrentVersion = 0x00010005, OldestReadableVersion = 0x00010004 };
        var load = SaveThenLoad();

        load.Should().Throw<Exception>().Where(e => Describe(e).Contains("older than the oldest this build reads (0x00010004)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reader_sees_the_version_the_model_was_written_with()
    {
        FormatProbeTransformer.LoadFormat = FormatProbeTransformer.LoadFormat with { CurrentVersion = 0x00010002 };

        SaveThenLoad()().Should().BeOfType<FormatProbeTransformer>().Which.LoadedVersion.Should().Be(0x00010001u);
    }

    [Fact]
    public void Truncated_state_is_reported_naming_the_transformer()
    {
        FormatProbeTransformer.ReadExtraValue = true;
        var load = SaveThenLoad();

        load.Should().Throw<Exception>().Where(e => Describe(e).Contains("The saved FormatProbe test transformer ends early", StringComparison.Ordinal));
    }

    [Fact]
    public void State_left_unread_by_the_loader_is_reported()
    {
        FormatProbeTransformer.SkipValue = true;
        var load = SaveThenLoad();

        load.Should().Throw<Exception>().Where(e => Describe(e).Contains("holds 4 bytes of state that its loader did not read", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_blob_is_reported_naming_the_entry()
    {
        FormatProbeTransformer.ReadBlobName = "Absent.bin";
        var load = SaveThenLoad();

        load.Should().Throw<Exception>().Where(e => Describe(e).Contains("has no entry 'Absent.bin'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_blob_written_through_a_stream_the_writer_closes_reads_back()
    {
        var model = SaveThenLoad()();

        model.Should().BeOfType<FormatProbeTransformer>().Which.Blob.Should().Equal(FormatProbeTransformer.BlobContent);
    }

    /// <summary>The messages of an exception and its inner exceptions (ML.NET may wrap what the loader throws).</summary>
    private static string Describe(Exception exception) =>
        string.Join(" | ", Enumerable.Repeat(exception, 1).Concat(Inner(exception)).Select(e => e.Message));

    private static IEnumerable<Exception> Inner(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }

    private Func<ITransformer> SaveThenLoad()
    {
        var path = SaveProbe();
        return () => new MLContext(seed: 2).Model.Load(path, out _);
    }

    private string SaveProbe()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new RowToRowTransformerTests.Input { X = [1] }]);
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.zip");
        ml.Model.Save(new FormatProbeTransformer(ml), data.Schema, path);
        return path;
    }
}

/// <summary>A transformer whose saved format and reading can be bent by the persistence tests.</summary>
public sealed class FormatProbeTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<FormatProbeTransformer>
{
    internal static readonly byte[] BlobContent = [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))];
    private static readonly ModelFormat DefaultFormat = new("ARDTSTFP", 0x00010001, 0x00010001, 0x00010001, "FormatProbe test transformer");

    internal FormatProbeTransformer(IHostEnvironment environment, uint loadedVersion = 0, byte[]? blob = null)
        : base(environment, "FormatProbe")
    {
        LoadedVersion = loadedVersion;
        Blob = blob ?? [];
    }

    internal static ModelFormat SaveFormat { get; set; } = DefaultFormat;

    internal static ModelFormat LoadFormat { get; set; } = DefaultFormat;

    internal static bool ReadExtraValue { get; set; }

    internal static bool SkipValue { get; set; }

    internal static string ReadBlobName { get; set; } = "Blob.bin";

    public uint LoadedVersion { get; }

    public byte[] Blob { get; }

    static ModelFormat IArdLoadableTransformer<FormatProbeTransformer>.Format => LoadFormat;

    private protected override ModelFormat Format => SaveFormat;

    internal static void Reset()
    {
        SaveFormat = DefaultFormat;
        LoadFormat = DefaultFormat;
        ReadExtraValue = false;
        SkipValue = false;
        ReadBlobName = "Blob.bin";
    }

    static FormatProbeTransformer IArdLoadableTransformer<FormatProbeTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        if (!SkipValue)
        {
            reader.ReadInt32().Should().Be(42);
        }

        if (ReadExtraValue)
        {
            reader.ReadInt64();
        }

        return new FormatProbeTransformer(environment, reader.Version, reader.ReadBlob(ReadBlobName));
    }

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(42);
        writer.WriteBlob("Blob.bin", stream =>
        {
            // Like TorchSharp's Save(Stream): write through a wrapper, then close the stream.
            using var binary = new BinaryWriter(stream);
            binary.Write(BlobContent);
        });
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(inputSchema);

    private sealed class Mapper(DataViewSchema inputSchema) : ArdRowMapper(inputSchema, "FormatProbe")
    {
        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; } = [new ArdOutputColumn("Probe", NumberDataViewType.Int32)];

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => [];

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output) => row =>
        {
            row.Set(0, 1);
            return true;
        };
    }
}
