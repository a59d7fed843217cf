using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Activations;

/// <summary>
/// Extraction for <see cref="FrontEndKind.RecurrentChunks"/>: groups of <see cref="ActivationExtractorOptions.BatchSize"/>
/// consecutive clips run in lockstep, chunk by chunk, with the model's state carried from each chunk to the next.
/// Groups are independent, so workers run whole groups in parallel; the groups are the same for any worker count.
/// </summary>
internal sealed class RecurrentExtraction(ActivationExtractor owner, RecurrentChunksFrontEnd frontEnd)
{
    /// <summary>Extracts clips; yields results in input order.</summary>
    public IEnumerable<ClipActivations> Run(IEnumerable<AudioClip> clips, OrderedWorkers<ExtractionSession> workers, IProgress<int>? progress)
    {
        var completed = 0;
        foreach (var group in workers.Map(clips.Chunk(owner.Options.BatchSize), RunGroup))
        {
            foreach (var result in group)
            {
                yield return result;
                progress?.Report(++completed);
            }
        }
    }

    /// <summary>Runs the model once over a zero chunk (batch of one) to learn the taps' shapes.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Probe(ExtractionSession session, out long[] inputShape)
    {
        var batch = new RecurrentBatch(session, 1);
        inputShape = batch.InputShape;
        return batch.Run();
    }

    private List<ClipActivations> RunGroup(ExtractionSession session, AudioClip[] group)
    {
        var chunk = frontEnd.UnitsPerWindow;
        var entry = frontEnd.EntryLength;
        var clips = group.Select(c => frontEnd.Prepare(c, session)).ToList();
        var pending = clips.Select(c => new PendingClipActivations(c.Clip, c.Windows.Count, owner.Taps.Count)).ToList();
        var steps = clips.Count == 0 ? 0 : clips.Max(c => c.Windows.Count);
        var batch = new RecurrentBatch(session, group.Length);
        owner.Recorder?.StartRecurrentGroup(group.Length);
        var taps = owner.Taps;
        for (var step = 0; step < steps; step++)
        {
            var input = batch.Input.Span;
            for (var b = 0; b < group.Length; b++)
            {
                var row = input.Slice(b * entry, entry);
                if (step < clips[b].Windows.Count)
                {
                    frontEnd.FillInput(clips[b], clips[b].Windows[step], row);
                }
                else
                {
                    row.Clear();
                }
            }

            using var outputs = batch.Run();
            for (var t = 0; t < taps.Count; t++)
            {
                var decoder = session.Decoders.For(taps[t], outputs, batch.InputShape, group.Length);
                var data = session.Decoders.Data(taps[t], outputs, batch.Input, batch.Input.Length);
                for (var b = 0; b < group.Length; b++)
                {
                    if (step >= clips[b].Windows.Count)
                    {
                        continue;
                    }

                    var window = clips[b].Windows[step];
                    var frames = decoder.FramesPerEntry;
                    pending[b].Append(t, decoder, data, b, window.KeptFrames(frames, chunk), frames, window.Start, chunk, window.Loop);
                }
            }

            batch.CarryState(outputs);
            for (var b = 0; b < group.Length; b++)
            {
                if (step < clips[b].Windows.Count)
                {
                    pending[b].WindowDone();
                }
            }
        }

        return [.. pending.Select(owner.Finish)];
    }

    /// <summary>Input and state buffers of one lockstep group of clips.</summary>
    private sealed class RecurrentBatch
    {
        private readonly ExtractionSession _session;
        private readonly int _batch;
        private readonly AlignedTensorBuffer[] _state;
        private readonly long[][] _stateShapes;

        public RecurrentBatch(ExtractionSession session, int batch)
        {
            _session = session;
            _batch = batch;
            var owner = session.Owner;
            InputShape = owner.InputShape(batch);
            Input = new AlignedTensorBuffer(owner.InputValuesPerWindow * batch);
            _stateShapes = [.. owner.Description.FrontEnd.State.Select(s => s.Shape.Select(d => d < 0 ? (long)batch : d).ToArray())];
            _state = [.. _stateShapes.Select(shape => new AlignedTensorBuffer((int)shape.Aggregate(1L, (a, b) => a * b)))];
        }

        public long[] InputShape { get; }

        public AlignedTensorBuffer Input { get; }

        public IDisposableReadOnlyCollection<OrtValue> Run()
        {
            var owner = _session.Owner;
            var front = owner.Description.FrontEnd;
            var disposables = new List<OrtValue>();
            try
            {
                var names = new List<string> { front.Input };
                var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Input.Memory(Input.Length), InputShape) };
                disposables.Add(values[0]);
                for (var s = 0; s < front.State.Length; s++)
                {
                    var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _state[s].Memory(_state[s].Length), _stateShapes[s]);
                    disposables.Add(value);
                    names.Add(front.State[s].Input);
                    values.Add(value);
                }

                if (owner.Recorder is { } recorder)
                {
                    recorder.RecordRecurrentStep(Input.ToArray(), InputShape);
                }

                return _session.Run(names, values);
            }
            finally
            {
                foreach (var value in disposables)
                {
                    value.Dispose();
                }
            }
        }

        public void CarryState(IReadOnlyList<OrtValue> outputs)
        {
            var owner = _session.Owner;
            var front = owner.Description.FrontEnd;
            for (var s = 0; s < front.State.Length; s++)
            {
                var data = outputs[owner.RunOutputIndex(front.State[s].Output)].GetTensorDataAsSpan<float>();
                if (data.Length != _state[s].Length)
                {
                    throw new ModelInputMismatchException(
                        owner.ModelPath, front.State[s].Output, $"{_state[s].Length} state values for a batch of {_batch}", $"{data.Length} values");
                }

                data.CopyTo(_state[s].Span);
            }
        }
    }
}
