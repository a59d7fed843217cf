using ArdMl.Activations;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Benchmarks.Extraction;

/// <summary>
/// The bare ONNX Runtime work of an extraction, for measuring the engine's overhead: <see cref="Record"/> runs an
/// extractor once over clips and keeps a copy of every model input it built; <see cref="Run"/> then replays exactly
/// those inputs through plain <c>InferenceSession.Run</c> calls (same model bytes, outputs, batch sizes and session
/// options), carrying recurrent state from output to input and nothing else. Used by <c>ard-bench extract</c>.
/// </summary>
public sealed class ExtractionBaseline : IModelInputRecorder, IDisposable
{
    private readonly List<Step> _steps = [];
    private InferenceSession? _session;
    private InferenceSession? _melSession;
    private ActivationExtractor? _extractor;

    private ExtractionBaseline()
    {
    }

    /// <summary>Number of model runs recorded (mel model runs included).</summary>
    public int RunCount => _steps.Count;

    /// <summary>Runs <paramref name="extractor"/> over <paramref name="clips"/> once, recording every model input.</summary>
    public static ExtractionBaseline Record(ActivationExtractor extractor, IReadOnlyList<AudioClip> clips)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        var baseline = new ExtractionBaseline { _extractor = extractor };
        extractor.Recorder = baseline;
        try
        {
            _ = extractor.ExtractBatch(clips);
        }
        finally
        {
            extractor.Recorder = null;
        }

        using var options = extractor.CreateSessionOptions();
        baseline._session = new InferenceSession(extractor.EditedModelBytes, options);
        if (extractor.Description.FrontEnd.Kind == FrontEndKind.MelThenWindows)
        {
            baseline._melSession = new InferenceSession(extractor.MelModelBytes!, options);
        }

        return baseline;
    }

    /// <summary>Replays every recorded model run with bare InferenceSession.Run calls.</summary>
    public void Run()
    {
        var extractor = _extractor ?? throw new InvalidOperationException("Nothing was recorded.");
        var front = extractor.Description.FrontEnd;
        var outputs = extractor.RunOutputs.ToArray();
        float[][] state = [];
        long[][] stateShapes = [];
        using var runOptions = new RunOptions();
        foreach (var step in _steps)
        {
            switch (step.Kind)
            {
                case StepKind.Mel:
                    using (var input = OrtValue.CreateTensorValueFromMemory(step.Input, step.Shape))
                    using (_melSession!.Run(runOptions, [front.MelInput], [input], [front.MelOutput]))
                    {
                    }

                    break;
                case StepKind.GroupStart:
                    stateShapes = [.. front.State.Select(s => s.Shape.Select(d => d < 0 ? step.Shape[0] : d).ToArray())];
                    state = [.. stateShapes.Select(shape => new float[shape.Aggregate(1L, (a, b) => a * b)])];
                    break;
                default:
                    var names = new List<string> { front.Input };
                    var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(step.Input, step.Shape) };
                    for (var s = 0; s < state.Length && step.Kind == StepKind.Recurrent; s++)
                    {
                        names.Add(front.State[s].Input);
                        values.Add(OrtValue.CreateTensorValueFromMemory(state[s], stateShapes[s]));
                    }

                    foreach (var (name, value) in extractor.Constants)
                    {
                        names.Add(name);
                        values.Add(value);
                    }

                    using (var results = _session!.Run(runOptions, names, values, outputs))
                    {
                        for (var s = 0; s < state.Length && step.Kind == StepKind.Recurrent; s++)
                        {
                            results[Array.IndexOf(outputs, front.State[s].Output)].GetTensorDataAsSpan<float>().CopyTo(state[s]);
                        }
                    }

                    for (var v = 0; v < values.Count - extractor.Constants.Count; v++)
                    {
                        values[v].Dispose();
                    }

                    break;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session?.Dispose();
        _melSession?.Dispose();
    }

    /// <inheritdoc/>
    public void RecordWindows(ReadOnlySpan<float> input, long[] shape) => _steps.Add(new Step(StepKind.Windows, input.ToArray(), (long[])shape.Clone()));

    /// <inheritdoc/>
    public void RecordMel(float[] scaled) => _steps.Add(new Step(StepKind.Mel, (float[])scaled.Clone(), [1, scaled.Length]));

    /// <inheritdoc/>
    public void StartRecurrentGroup(int batch) => _steps.Add(new Step(StepKind.GroupStart, [], [batch]));

    /// <inheritdoc/>
    public void RecordRecurrentStep(float[] input, long[] shape) => _steps.Add(new Step(StepKind.Recurrent, (float[])input.Clone(), (long[])shape.Clone()));

    private enum StepKind
    {
        Windows,
        Mel,
        GroupStart,
        Recurrent,
    }

    private sealed record Step(StepKind Kind, float[] Input, long[] Shape);
}
