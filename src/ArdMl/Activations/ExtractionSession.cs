using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ArdMl.Activations;

/// <summary>
/// One worker's ONNX Runtime state for an <see cref="ActivationExtractor"/>: a session of the tapped model (and of the
/// mel model for <see cref="FrontEndKind.MelThenWindows"/>), run options and a cache of tap decoders. Workers share
/// nothing mutable, so each runs its own session with its own intra-op threads.
/// </summary>
internal sealed class ExtractionSession : IDisposable
{
    private readonly InferenceSession _model;
    private readonly InferenceSession? _mel;
    private readonly RunOptions _runOptions = new();
    private readonly RunOptions _melRunOptions = new();

    /// <summary>Opens sessions of the extractor's edited model (and mel model) with the given options.</summary>
    public ExtractionSession(ActivationExtractor owner, SessionOptions options)
    {
        Owner = owner;
        var front = owner.Description.FrontEnd;
        _model = new InferenceSession(owner.EditedModelBytes, options);
        try
        {
            if (front.Kind == FrontEndKind.MelThenWindows)
            {
                _mel = new InferenceSession(owner.MelModelBytes ?? throw new ArgumentException($"Description '{owner.Description.Name}' needs a mel model (frontEnd.melModel)."), options);
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        Decoders = new TapDecoderSet(owner);
    }

    /// <summary>The extractor this session serves.</summary>
    public ActivationExtractor Owner { get; }

    /// <summary>Decoders of the tap tensors this session's runs return.</summary>
    public TapDecoderSet Decoders { get; }

    /// <summary>The model's inputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _model.InputMetadata;

    /// <summary>The model's outputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => _model.OutputMetadata;

    /// <summary>The mel model's inputs and outputs (MelThenWindows), else null.</summary>
    public (IReadOnlyDictionary<string, NodeMetadata> Inputs, IReadOnlyDictionary<string, NodeMetadata> Outputs)? MelMetadata =>
        _mel is null ? null : (_mel.InputMetadata, _mel.OutputMetadata);

    /// <summary>Runs a batch of windows (the first <c>shape</c>-product values of <paramref name="buffer"/>) with the constants.</summary>
    public IDisposableReadOnlyCollection<OrtValue> RunWindows(AlignedTensorBuffer buffer, long[] shape)
    {
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.Memory(count), shape);
        var constants = Owner.Constants;
        var names = new List<string>(1 + constants.Count) { Owner.Description.FrontEnd.Input };
        var values = new List<OrtValue>(1 + constants.Count) { input };
        foreach (var (name, value) in constants)
        {
            names.Add(name);
            values.Add(value);
        }

        Owner.Recorder?.RecordWindows(buffer.Span[..count], shape);
        return _model.Run(_runOptions, names, values, Owner.RunOutputs);
    }

    /// <summary>Runs the model with the given inputs (the constants are added) and returns the run outputs.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(List<string> names, List<OrtValue> values)
    {
        foreach (var (name, value) in Owner.Constants)
        {
            names.Add(name);
            values.Add(value);
        }

        return _model.Run(_runOptions, names, values, Owner.RunOutputs);
    }

    /// <summary>Runs the mel model over one clip's scaled samples.</summary>
    public IDisposableReadOnlyCollection<OrtValue> RunMel(OrtValue samples)
    {
        var front = Owner.Description.FrontEnd;
        return (_mel ?? throw new InvalidOperationException("This front end has no mel model.")).Run(_melRunOptions, [front.MelInput], [samples], [front.MelOutput]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _model?.Dispose();
        _mel?.Dispose();
        _runOptions.Dispose();
        _melRunOptions.Dispose();
    }

    /// <summary>Creates session options from extractor options; says which execution provider is in use and why not another.</summary>
    public static SessionOptions CreateOptions(ActivationExtractorOptions options, out string provider, out string? notice)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        provider = "CPU";
        notice = null;
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
#if ARD_GPU
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(0);
                provider = "CUDA";
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                notice = $"CUDA execution provider unavailable ({e.Message.Split('\n')[0]}); running on CPU. ONNX Runtime GPU 1.31 needs CUDA 13 (libcublasLt.so.13) and a GPU.";
            }
#else
            notice = "CUDA was requested but this build has no GPU support (build with -p:ArdGpu=true); running on CPU.";
#endif
        }

        return sessionOptions;
    }

    /// <summary>
    /// Checks the model's and mel model's signatures against the description: every input it feeds exists with the
    /// declared type and shape, every state output exists, and the model needs no input the description does not feed.
    /// </summary>
    public void CheckSignature()
    {
        var front = Owner.Description.FrontEnd;
        var modelPath = Owner.ModelPath;
        if (MelMetadata is { } mel)
        {
            var melPath = Owner.MelModelName ?? "mel model";
            CheckTensor(mel.Inputs, melPath, front.MelInput, TensorElementType.Float, null, "frontEnd.melInput");
            if (!mel.Outputs.ContainsKey(front.MelOutput))
            {
                throw new ModelInputMismatchException(melPath, front.MelOutput, "an output of that name (frontEnd.melOutput)", $"outputs {string.Join(", ", mel.Outputs.Keys)}");
            }
        }

        var inputs = InputMetadata;
        var fed = new HashSet<string>(StringComparer.Ordinal) { front.Input };
        CheckTensor(inputs, modelPath, front.Input, TensorElementType.Float, front.InputShape, "frontEnd.input");
        foreach (var state in front.State)
        {
            fed.Add(state.Input);
            CheckTensor(inputs, modelPath, state.Input, TensorElementType.Float, state.Shape, "frontEnd.state.input");
            if (!OutputMetadata.ContainsKey(state.Output))
            {
                throw new ModelInputMismatchException(modelPath, state.Output, "an output carrying the next state (frontEnd.state.output)", $"outputs {string.Join(", ", OutputMetadata.Keys)}");
            }
        }

        foreach (var constant in front.Constants)
        {
            fed.Add(constant.Name);
            CheckTensor(inputs, modelPath, constant.Name, ElementType(constant.Type), constant.Shape, "frontEnd.constants");
        }

        foreach (var (name, metadata) in inputs)
        {
            if (!fed.Contains(name))
            {
                throw new ModelInputMismatchException(modelPath, name, "no such input (the description feeds " + string.Join(", ", fed) + ")", $"a required input {Describe(metadata)}");
            }
        }
    }

    private static string Describe(NodeMetadata metadata) =>
        $"{metadata.ElementDataType} [{string.Join(", ", metadata.Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : (metadata.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?")))}]";

    private static void CheckTensor(IReadOnlyDictionary<string, NodeMetadata> inputs, string model, string name, TensorElementType type, int[]? shape, string field)
    {
        if (!inputs.TryGetValue(name, out var metadata))
        {
            throw new ModelInputMismatchException(model, name, $"an input named so ({field})", $"inputs {string.Join(", ", inputs.Select(kv => $"'{kv.Key}' {Describe(kv.Value)}"))}");
        }

        var expected = $"{type} [{(shape is null ? "any" : string.Join(", ", shape.Select(d => d < 0 ? "batch" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))))}]";
        if (metadata.ElementDataType != type)
        {
            throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
        }

        if (shape is null)
        {
            return;
        }

        var dims = metadata.Dimensions;
        if (dims.Length != shape.Length)
        {
            throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
        }

        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] >= 0 && (shape[i] < 0 ? dims[i] != 1 : dims[i] != shape[i]))
            {
                throw new ModelInputMismatchException(model, name, expected, Describe(metadata));
            }
        }
    }

    private static TensorElementType ElementType(string type) => type switch
    {
        "int64" => TensorElementType.Int64,
        "int32" => TensorElementType.Int32,
        _ => TensorElementType.Float,
    };
}
