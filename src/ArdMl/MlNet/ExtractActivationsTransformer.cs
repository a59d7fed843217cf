using System.Security.Cryptography;
using ArdMl.Activations;
using ArdMl.MlNet.Internals;
using ArdMl.MlNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Runs a described ONNX audio model over each row's samples and outputs one tap's activations: a frames × d
/// row-major Single vector of type Vector&lt;Single&gt;(0, d) (default "Activations") and the frame count (default
/// "FrameCount"). Rows are computed lazily, one clip at a time (windows of a clip are batched); model runs are
/// serialised on one ONNX Runtime session. Saved with <c>mlContext.Model.Save</c>, either with the model bytes
/// embedded (default) or with the model file's path and SHA-256, which loading verifies.
/// </summary>
public sealed class ExtractActivationsTransformer : ArdRowToRowTransformer, IArdLoadableTransformer<ExtractActivationsTransformer>, IDisposable
{
    internal const string ExpectedInput = "a vector of Single (mono samples)";

    // Saved format, written by SaveState and read by Load:
    //   0x00010001  initial: string inputColumn, string outputColumn, string frameCountColumn, string descriptionJson,
    //               string descriptionName, string tap, int width, bool hasInputRate, [int inputRate], int batchSize,
    //               int intraOpThreads, int executionProvider, bool hasSilence, [double silenceDb], int nonFinite,
    //               int storage (0 Embed, 1 PathWithChecksum), long maxEmbeddedBytes,
    //               Embed: blob "Model.onnx", bool hasMel, [blob "MelModel.onnx"];
    //               PathWithChecksum: string modelPath, string modelSha256, nullable string melPath, nullable string melSha256.
    private static readonly ModelFormat SavedFormat = new("ARDACTIV", 0x00010001, 0x00010001, 0x00010001, "ExtractActivations transformer");

    private readonly ExtractActivationsOptions _options;
    private readonly ActivationExtractor _extractor;
    private readonly SemaphoreSlim _workerSlots;
    private readonly System.Collections.Concurrent.ConcurrentBag<ActivationExtractor> _idleWorkers = [];
    private readonly List<ActivationExtractor> _extraWorkers = [];
    private readonly string? _modelPath;
    private readonly string? _melModelPath;

    internal ExtractActivationsTransformer(IHostEnvironment environment, ExtractActivationsOptions options, ActivationExtractor extractor, string? modelPath, string? melModelPath)
        : base(environment, "ExtractActivations")
    {
        _options = options;
        _extractor = extractor;
        _workerSlots = new SemaphoreSlim(options.Workers);
        _idleWorkers.Add(extractor);
        _modelPath = modelPath;
        _melModelPath = melModelPath;
        Tap = extractor.Taps[0];
        Width = extractor.WidthOf(Tap);
        if (extractor.ExecutionNotice is { } notice)
        {
            using var channel = Host.Start("ExtractActivations");
            channel.Warning(notice);
        }
    }

    /// <summary>The tap extracted.</summary>
    public string Tap { get; }

    /// <summary>Features per frame (d).</summary>
    public int Width { get; }

    /// <summary>The model description.</summary>
    public ModelDescription Description => _extractor.Description;

    /// <summary>The samples column.</summary>
    public string InputColumnName => _options.InputColumnName;

    /// <summary>The activations column.</summary>
    public string OutputColumnName => _options.OutputColumnName;

    /// <summary>The frame-count column.</summary>
    public string OutputFrameCountColumnName => _options.OutputFrameCountColumnName;

    /// <summary>How a saved model keeps the ONNX model.</summary>
    public ActivationModelStorage ModelStorage => _options.ModelStorage;

    static ModelFormat IArdLoadableTransformer<ExtractActivationsTransformer>.Format => SavedFormat;

    private protected override ModelFormat Format => SavedFormat;

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        _extractor.Dispose();
        lock (_extraWorkers)
        {
            _extraWorkers.ForEach(worker => worker.Dispose());
            _extraWorkers.Clear();
        }

        _workerSlots.Dispose();
    }

    static ExtractActivationsTransformer IArdLoadableTransformer<ExtractActivationsTransformer>.Load(IHostEnvironment environment, ModelStateReader reader)
    {
        var input = reader.ReadString();
        var output = reader.ReadString();
        var frames = reader.ReadString();
        var json = reader.ReadString();
        var name = reader.ReadString();
        var tap = reader.ReadString();
        var width = reader.ReadInt32();
        int? inputRate = reader.ReadBoolean() ? reader.ReadInt32() : null;
        var batch = reader.ReadInt32();
        var threads = reader.ReadInt32();
        var provider = reader.ReadInt32();
        double? silence = reader.ReadBoolean() ? reader.ReadDouble() : null;
        var nonFinite = reader.ReadInt32();
        var storage = reader.ReadInt32();
        var maxEmbedded = reader.ReadInt64();
        if (!Enum.IsDefined((ExecutionProvider)provider) || !Enum.IsDefined((NonFiniteActivationPolicy)nonFinite) || !Enum.IsDefined((ActivationModelStorage)storage))
        {
            throw reader.Corrupt($"unknown enum value (provider {provider}, non-finite policy {nonFinite}, storage {storage})");
        }

        ModelDescription description;
        try
        {
            description = ModelDescription.Parse(json, name, Directory.GetCurrentDirectory());
        }
        catch (ModelDescriptionException e)
        {
            throw reader.Corrupt(e.Message);
        }

        byte[] model;
        byte[]? mel = null;
        string? modelPath = null, melPath = null;
        if ((ActivationModelStorage)storage == ActivationModelStorage.Embed)
        {
            model = reader.ReadBlob("Model.onnx");
            if (reader.ReadBoolean())
            {
                mel = reader.ReadBlob("MelModel.onnx");
            }
        }
        else
        {
            modelPath = reader.ReadString();
            model = ReadVerified(modelPath, reader.ReadString());
            melPath = reader.ReadNullableString();
            var melHash = reader.ReadNullableString();
            if (melPath is not null)
            {
                mel = ReadVerified(melPath, melHash ?? throw reader.Corrupt("the mel model's SHA-256 is missing"));
            }
        }

        var options = new ExtractActivationsOptions
        {
            ModelDescription = description,
            Tap = tap,
            InputColumnName = input,
            OutputColumnName = output,
            OutputFrameCountColumnName = frames,
            InputSampleRate = inputRate,
            BatchSize = batch,
            IntraOpThreads = threads,
            ExecutionProvider = (ExecutionProvider)provider,
            SilenceThresholdDb = silence,
            NonFinite = (NonFiniteActivationPolicy)nonFinite,
            ModelStorage = (ActivationModelStorage)storage,
            MaxEmbeddedModelBytes = maxEmbedded,
        }.Validated();
        var extractor = ActivationExtractor.CreateFromBytes(description, model, mel, [tap], options.ToExtractorOptions(), modelPath, melPath);
        if (extractor.WidthOf(tap) != width)
        {
            extractor.Dispose();
            throw reader.Corrupt($"tap '{tap}' now has width {extractor.WidthOf(tap)}; the model was saved with {width}");
        }

        return new ExtractActivationsTransformer(environment, options, extractor, modelPath, melPath);
    }

    internal static IReadOnlyList<ArdOutputColumn> OutputColumnsFor(ExtractActivationsOptions options, int width) =>
    [
        new ArdOutputColumn(options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, 0, width)),
        new ArdOutputColumn(options.OutputFrameCountColumnName, NumberDataViewType.Int32),
    ];

    private protected override void SaveState(ModelStateWriter writer)
    {
        writer.Write(_options.InputColumnName);
        writer.Write(_options.OutputColumnName);
        writer.Write(_options.OutputFrameCountColumnName);
        writer.Write(Description.ToJson());
        writer.Write(Description.SourcePath ?? Description.Name);
        writer.Write(Tap);
        writer.Write(Width);
        writer.Write(_options.InputSampleRate.HasValue);
        if (_options.InputSampleRate is { } rate)
        {
            writer.Write(rate);
        }

        writer.Write(_options.BatchSize);
        writer.Write(_options.IntraOpThreads);
        writer.Write((int)_options.ExecutionProvider);
        writer.Write(_options.SilenceThresholdDb.HasValue);
        if (_options.SilenceThresholdDb is { } silence)
        {
            writer.Write(silence);
        }

        writer.Write((int)_options.NonFinite);
        writer.Write((int)_options.ModelStorage);
        writer.Write(_options.MaxEmbeddedModelBytes);
        if (_options.ModelStorage == ActivationModelStorage.Embed)
        {
            var total = _extractor.ModelBytes.LongLength + (_extractor.MelModelBytes?.LongLength ?? 0);
            if (total > _options.MaxEmbeddedModelBytes)
            {
                throw new InvalidOperationException(
                    $"ExtractActivations: the model ({total} bytes) is larger than MaxEmbeddedModelBytes ({_options.MaxEmbeddedModelBytes}); " +
                    "save it with ModelStorage = PathWithChecksum or raise the limit.");
            }

            writer.WriteBlob("Model.onnx", _extractor.ModelBytes);
            writer.Write(_extractor.MelModelBytes is not null);
            if (_extractor.MelModelBytes is { } mel)
            {
                writer.WriteBlob("MelModel.onnx", mel);
            }
        }
        else
        {
            writer.Write(_modelPath ?? throw new InvalidOperationException("ExtractActivations: the model was not created from a file; it can only be saved embedded."));
            writer.Write(_extractor.ModelSha256);
            writer.WriteNullable(_melModelPath);
            writer.WriteNullable(_extractor.MelModelBytes is { } melBytes ? Convert.ToHexStringLower(SHA256.HashData(melBytes)) : null);
        }
    }

    private protected override ArdRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private static byte[] ReadVerified(string path, string expectedSha256)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"ExtractActivations: the saved model refers to the ONNX model '{path}' (saved by path and SHA-256), which does not exist; " +
                "put the file back at that path, or fit and save again with the model embedded.", path);
        }

        var bytes = File.ReadAllBytes(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"ExtractActivations: the ONNX model '{path}' has SHA-256 {actual}, but the saved model was fitted on a file with SHA-256 {expectedSha256}: " +
                "the file changed since; restore that file, or fit and save again.");
        }

        return bytes;
    }

    /// <summary>
    /// Extracts one row on an idle worker: up to <see cref="ExtractActivationsOptions.Workers"/> extractors, each with
    /// its own session, serve rows of parallel cursors at once (opened as needed); one worker serves one row at a time.
    /// </summary>
    private ClipActivations Run(string clipId, float[] samples)
    {
        _workerSlots.Wait();
        try
        {
            if (!_idleWorkers.TryTake(out var worker))
            {
                worker = ActivationExtractor.CreateFromBytes(_extractor.Description, _extractor.ModelBytes, _extractor.MelModelBytes, [Tap], _options.ToExtractorOptions(), _modelPath, _melModelPath);
                lock (_extraWorkers)
                {
                    _extraWorkers.Add(worker);
                }
            }

            try
            {
                return worker.ExtractClip(new AudioClip(clipId, samples));
            }
            finally
            {
                _idleWorkers.Add(worker);
            }
        }
        finally
        {
            _workerSlots.Release();
        }
    }

    private void ReportSkipped(ClipActivations result)
    {
        using var channel = Host.Start("ExtractActivations");
        channel.Warning($"ExtractActivations: clip '{result.ClipId}' gives zero frames: {result.Message}");
    }

    private sealed class Mapper : ArdRowMapper
    {
        private readonly ExtractActivationsTransformer _parent;

        public Mapper(ExtractActivationsTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, "ExtractActivations")
        {
            _parent = parent;
            InputColumns = [ArdSchemaShapes.RequireColumn(inputSchema, parent.InputColumnName, ExpectedInput,
                type => type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single)];
            OutputColumns = OutputColumnsFor(parent._options, parent.Width);
        }

        public override IReadOnlyList<ArdOutputColumn> OutputColumns { get; }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

        public override ArdRowComputation CreateComputation(DataViewRow input, ArdOutputRow output)
        {
            var getter = input.GetGetter<VBuffer<float>>(InputColumns[0]);
            var rowId = input.GetIdGetter();
            var samples = default(VBuffer<float>);
            var id = default(DataViewRowId);
            return row =>
            {
                getter(ref samples);
                rowId(ref id);
                var dense = new float[samples.Length];
                samples.CopyTo(dense);
                var result = _parent.Run($"row {id.Low}", dense);
                if (result.Status == ClipExtractionStatus.NonFinite)
                {
                    _parent.ReportSkipped(result);
                }

                var tap = result.Taps[0];
                if (row.IsActive(0))
                {
                    row.SetVector<float>(0, tap.Data);
                }

                if (row.IsActive(1))
                {
                    row.Set(1, tap.FrameCount);
                }

                return true;
            };
        }
    }
}
