using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Activations;

/// <summary>
/// Extraction for window front ends: the windows of consecutive clips are packed into batches of
/// <see cref="ActivationExtractorOptions.BatchSize"/> windows, across clip boundaries, exactly as one thread would pack
/// them; workers fill and run whole batches in parallel; the batches' outputs are appended to their clips in batch
/// order and each clip is finished once its last window is in. The batches are thus the same for any worker count,
/// and so are the activations.
/// </summary>
internal sealed class WindowedExtraction(ActivationExtractor owner, IExtractionFrontEnd frontEnd)
{
    /// <summary>Extracts prepared clips; yields results in input order.</summary>
    /// <param name="clips">Clips turned into units, in corpus order.</param>
    /// <param name="workers">Workers that fill and run batches.</param>
    /// <param name="decoders">Decoders used by the consuming thread.</param>
    /// <param name="progress">Receives the number of clips completed so far.</param>
    public IEnumerable<ClipActivations> Run(IEnumerable<PreparedClip> clips, OrderedWorkers<ExtractionSession> workers, TapDecoderSet decoders, IProgress<int>? progress)
    {
        var pending = new Queue<PendingClipActivations>();
        var completed = 0;
        foreach (var batch in workers.Map(Batches(clips), RunBatch))
        {
            using (batch)
            {
                foreach (var clip in batch.Started)
                {
                    pending.Enqueue(clip);
                }

                Append(batch, decoders);
            }

            while (pending.Count > 0 && pending.Peek().IsComplete)
            {
                yield return owner.Finish(pending.Dequeue());
                progress?.Report(++completed);
            }
        }
    }

    /// <summary>Packs the clips' windows into batches; each batch lists the clips started since the previous one.</summary>
    private IEnumerable<WindowBatch> Batches(IEnumerable<PreparedClip> clips)
    {
        var size = owner.Options.BatchSize;
        var batch = new WindowBatch(size);
        foreach (var clip in clips)
        {
            var pending = new PendingClipActivations(clip.Clip, clip.Windows.Count, owner.Taps.Count);
            batch.Started.Add(pending);
            foreach (var window in clip.Windows)
            {
                batch.Slots.Add((pending, clip, window));
                if (batch.Slots.Count == size)
                {
                    yield return batch;
                    batch = new WindowBatch(size);
                }
            }
        }

        if (batch.Slots.Count > 0 || batch.Started.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Fills the batch's model input from its windows and runs the model (on a worker).</summary>
    private WindowBatch RunBatch(ExtractionSession session, WindowBatch batch)
    {
        var count = batch.Slots.Count;
        if (count == 0)
        {
            return batch;
        }

        var perWindow = owner.InputValuesPerWindow;
        batch.Input = new AlignedTensorBuffer(perWindow * count);
        var input = batch.Input.Span;
        for (var s = 0; s < count; s++)
        {
            var (_, clip, window) = batch.Slots[s];
            frontEnd.FillInput(clip, window, input.Slice(s * perWindow, perWindow));
        }

        batch.Shape = owner.InputShape(count);
        batch.Outputs = session.RunWindows(batch.Input, batch.Shape);
        return batch;
    }

    /// <summary>Appends each window's kept frames of every tap to its clip (on the consuming thread, in batch order).</summary>
    private void Append(WindowBatch batch, TapDecoderSet decoders)
    {
        if (batch.Outputs is not { } outputs)
        {
            return;
        }

        var count = batch.Slots.Count;
        var taps = owner.Taps;
        for (var t = 0; t < taps.Count; t++)
        {
            var decoder = decoders.For(taps[t], outputs, batch.Shape, count);
            var data = decoders.Data(taps[t], outputs, batch.Input!, owner.InputValuesPerWindow * count);
            for (var s = 0; s < count; s++)
            {
                var (clip, _, window) = batch.Slots[s];
                var frames = decoder.FramesPerEntry;
                var keep = window.KeptFrames(frames, frontEnd.UnitsPerWindow);
                clip.Append(t, decoder, data, s, keep, frames, (long)window.Start * frontEnd.SamplesPerUnit, frontEnd.FrameSpanSamples, window.Loop);
            }
        }

        foreach (var (clip, _, _) in batch.Slots)
        {
            clip.WindowDone();
        }
    }

    /// <summary>One model run: its windows, the clips started with it, and, once run, its input and outputs.</summary>
    private sealed class WindowBatch(int size) : IDisposable
    {
        public List<PendingClipActivations> Started { get; } = [];

        public List<(PendingClipActivations Pending, PreparedClip Clip, WindowPlan Window)> Slots { get; } = new(size);

        public AlignedTensorBuffer? Input { get; set; }

        public long[] Shape { get; set; } = [];

        public IDisposableReadOnlyCollection<OrtValue>? Outputs { get; set; }

        public void Dispose() => Outputs?.Dispose();
    }
}
