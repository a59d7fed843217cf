using System.Collections.Concurrent;
using ArdMl.Audio;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Decodes each row's clip (a file path, or encoded file bytes) to mono samples in [-1, 1] at
/// <see cref="SampleRate"/>, lazily as rows are read. With <see cref="BadClipHandling.Skip"/>, rows whose clip cannot
/// be read are left out and reported (log channel of the MLContext, <see cref="SkippedClips"/>, the options' progress).
/// Saved and loaded with <c>mlContext.Model.Save/Load</c>.
/// </summary>
public sealed class LoadAudioTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<LoadAudioTransformer>
{
    internal const string ExpectedInput = "text (file paths) or a vector of Byte (encoded audio files)";

    // Saved format, written by SaveState and read by Load:
    //   0x00010001  initial: string outputColumn, string inputColumn, string sampleCountColumn, int sampleRate,
    //               bool hasMaxDuration, [double maxDurationSeconds], int badClipHandling (0 Throw, 1 Skip),
    //               nullable string baseDirectory.
    private static readonly ModelFormat SavedFormat = new("ARDAUDIO", 0x00010001, 0x00010001, 0x00010001, "LoadAudio transformer");

    private readonly LoadAudioOptions _options;
    private readonly ConcurrentDictionary<(ulong, ulong, string), SkippedClip> _skipped = new();
    private readonly ConcurrentQueue<SkippedClip> _skippedInOrder = new();

    internal LoadAudioTransformer(IHostEnvironment environment, LoadAudioOptions options)
        : base(environment, "LoadAudio")
    {
        _options = options.Validated();
    }

    /// <summary>The input column (paths or encoded bytes).</summary>
    public string InputColumnName => _options.InputColumnName;

    /// <summary>The samples output column.</summary>
    public string OutputColumnName => _options.OutputColumnName;

    /// <summary>The sample-count output column.</summary>
    public string OutputSampleCountColumnName => _options.OutputSampleCountColumnName;

    /// <summary>The output sample rate in Hz.</summary>
    public int SampleRate => _options.SampleRate;

    /// <summary>The maximum kept duration per clip in seconds, or null for all of it.</summary>
    public double? MaxDurationSeconds => _options.MaxDurationSeconds;

    /// <summary>The folder relative paths are resolved against, or null for the current directory.</summary>
    public string? BaseDirectory => _options.BaseDirectory;

    /// <summary>What happens to a clip that cannot be loaded.</summary>
    public BadClipHandling BadClipHandling => _options.BadClipHandling;

    /// <summary>
    /// The clips left out so far (Skip mode), each once (per input row) however often the data is read, in the order
    /// they were met. Readable after a pass over the transformed data.
    /// </summary>
    public IReadOnlyList<SkippedClip> SkippedClips => [.. _skippedInOrder];

    static ModelFormat IArdLoadableTransformer<LoadAudioTransformer>.Format => SavedFormat;

    private protected override ModelFormat Format => SavedFormat;

    static LoadAudioTransformer IArdLoadableTransformer<LoadAudioTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        var options = new LoadAudioOptions
        {
            OutputColumnName = reader.ReadString(),
            InputColumnName = reader.ReadString(),
            OutputSampleCountColumnName = reader.ReadString(),
            SampleRate = reader.ReadInt32(),
            MaxDurationSeconds = reader.ReadBoolean() ? reader.ReadDouble() : null,
        };
        var handling = reader.ReadInt32();
        if (!Enum.IsDefined((BadClipHandling)handling))
        {
            throw reader.Corrupt($"bad-clip handling {handling} is unknown");
        }

        options.BadClipHandling = (BadClipHandling)handling;
        options.BaseDirectory = reader.ReadNullableString();
        try
        {
            return new LoadAudioTransformer(environment, options);
        }
        catch (ArgumentException exception)
        {
            throw reader.Corrupt(exception.Message);
        }
    }

    internal static IReadOnlyList<ArdOutputColumn> OutputColumnsFor(LoadAudioOptions options) =>
    [
        new ArdOutputColumn(options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single)),
        new ArdOutputColumn(options.OutputSampleCountColumnName, NumberDataViewType.Int32),
    ];

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(_options.OutputColumnName);
        writer.Write(_options.InputColumnName);
        writer.Write(_options.OutputSampleCountColumnName);
        writer.Write(_options.SampleRate);
        writer.Write(_options.MaxDurationSeconds.HasValue);
        if (_options.MaxDurationSeconds is { } seconds)
        {
            writer.Write(seconds);
        }

        writer.Write((int)_options.BadClipHandling);
        writer.WriteNullable(_options.BaseDirectory);
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private void ReportSkipped(DataViewRowId row, SkippedClip clip)
    {
        if (!_skipped.TryAdd((row.High, row.Low, clip.Source), clip))
        {
            return;
        }

        _skippedInOrder.Enqueue(clip);
        using (var channel = Host.Start("LoadAudio"))
        {
            channel.Warning(MessageSensitivity.Unknown, $"LoadAudio skipped '{clip.Source}': {clip.Reason}");
        }

        _options.SkippedClipProgress?.Report(clip);
    }

    private float[] Load(string path) =>
        AudioLoader.LoadMono(ResolvePath(path), _options.SampleRate, _options.MaxDurationSeconds);

    private string ResolvePath(string path) =>
        _options.BaseDirectory is { } baseDirectory && !Path.IsPathRooted(path) ? Path.Combine(baseDirectory, path) : path;

    private static bool IsBadClip(Exception exception) =>
        exception is AudioDecodeException or IOException or UnauthorizedAccessException or ArgumentException;

    private sealed class Mapper : ArdRowMapper
    {
        private readonly LoadAudioTransformer _parent;
        private readonly bool _bytesInput;

        public Mapper(LoadAudioTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, "LoadAudio")
        {
            _parent = parent;
            var input = ArdSchemaShapes.RequireColumn(inputSchema, parent.InputColumnName, ExpectedInput,
                type => type is TextDataViewType || type is VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw } } && raw == typeof(byte));
            _bytesInput = input.Type is VectorDataViewType;
            InputColumns = [input];
            OutputColumns = OutputColumnsFor(parent._options);
        }

        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

        public override bool DropsRows => _parent.BadClipHandling == BadClipHandling.Skip;

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output)
        {
            var load = _bytesInput ? BytesLoader(input) : PathLoader(input);
            var rowId = input.GetIdGetter();
            var id = default(DataViewRowId);
            return row =>
            {
                float[] samples;
                string source = string.Empty;
                try
                {
                    samples = load(out source);
                }
                catch (Exception exception) when (DropsRows && IsBadClip(exception))
                {
                    rowId(ref id);
                    var reason = exception is AudioDecodeException decode ? decode.Problem : exception.Message;
                    _parent.ReportSkipped(id, new SkippedClip(source, reason));
                    return row.Drop($"clip '{source}' could not be loaded: {reason}");
                }

                if (row.IsActive(0))
                {
                    row.SetVector<float>(0, samples);
                }

                if (row.IsActive(1))
                {
                    row.Set(1, samples.Length);
                }

                return true;
            };
        }

        private Loader PathLoader(DataViewRow input)
        {
            var getter = input.GetGetter<ReadOnlyMemory<char>>(InputColumns[0]);
            var path = default(ReadOnlyMemory<char>);
            return (out string source) =>
            {
                getter(ref path);
                source = path.ToString();
                if (source.Length == 0)
                {
                    throw new ArgumentException($"LoadAudio: the path in column '{InputColumns[0].Name}' is empty.");
                }

                return _parent.Load(source);
            };
        }

        private Loader BytesLoader(DataViewRow input)
        {
            var getter = input.GetGetter<VBuffer<byte>>(InputColumns[0]);
            var rowId = input.GetIdGetter();
            var bytes = default(VBuffer<byte>);
            var id = default(DataViewRowId);
            return (out string source) =>
            {
                rowId(ref id);
                source = $"{InputColumns[0].Name}[row {id.Low}]";
                getter(ref bytes);
                var dense = bytes.IsDense ? bytes.GetValues() : bytes.DenseValues().ToArray();
                return AudioLoader.LoadMono(dense, source, _parent.SampleRate, _parent.MaxDurationSeconds);
            };
        }

        private delegate float[] Loader(out string source);
    }
}
