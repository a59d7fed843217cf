using System.Diagnostics;
using ArdMl.Audio;
using TorchSharp;
using static TorchSharp.torch;

namespace ArdMl.Demo;

/// <summary>The outcome of <see cref="DemoModelTrainer.Train"/>.</summary>
public sealed class DemoTrainingResult
{
    internal DemoTrainingResult(DemoSoundEventModel model, int trainClips, DemoEvaluation train, DemoEvaluation validation, IReadOnlyList<DemoEvaluation> history, TimeSpan elapsed, DemoTrainingOptions options)
    {
        Model = model;
        TrainClipCount = trainClips;
        Train = train;
        Validation = validation;
        ValidationHistory = history;
        Elapsed = elapsed;
        Options = options;
    }

    /// <summary>The trained model (dispose it when done).</summary>
    public DemoSoundEventModel Model { get; }

    /// <summary>Number of training clips.</summary>
    public int TrainClipCount { get; }

    /// <summary>Figures on the training clips after the last epoch.</summary>
    public DemoEvaluation Train { get; }

    /// <summary>Figures on the held-out clips after the last epoch.</summary>
    public DemoEvaluation Validation { get; }

    /// <summary>Validation figures after each epoch.</summary>
    public IReadOnlyList<DemoEvaluation> ValidationHistory { get; }

    /// <summary>Wall time of training, feature computation included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The options used.</summary>
    public DemoTrainingOptions Options { get; }
}

/// <summary>
/// Trains the <see cref="DemoSoundEventModel"/> on a demo corpus with TorchSharp on the CPU: log-mel features are
/// computed once (the front end is fixed), then Adam minimises the multi-label binary cross-entropy in batches of
/// clips of equal length. Every <see cref="DemoTrainingOptions.ValidationEvery"/>-th clip is held out. With the same
/// corpus, options and thread count the result is the same.
/// </summary>
public static class DemoModelTrainer
{
    /// <summary>Trains a model; see the class remarks.</summary>
    /// <param name="corpus">The corpus (clips must be 16 kHz mono, at least <see cref="DemoSoundEventModel.MinimumSamples"/> long).</param>
    /// <param name="options">Settings; null for the defaults that built the committed model.</param>
    /// <param name="progress">Receives progress after every step and every epoch.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    public static DemoTrainingResult Train(DemoCorpus corpus, DemoTrainingOptions? options = null, IProgress<DemoTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        options ??= new DemoTrainingOptions();
        options.Validate();
        if (options.Model.LabelCount != DemoSoundLabels.All.Count)
        {
            throw new ArgumentException($"The model must have one output per demo label ({DemoSoundLabels.All.Count}), not {options.Model.LabelCount}.", nameof(options));
        }

        var stopwatch = Stopwatch.StartNew();
        var previousThreads = get_num_threads();
        set_num_threads(options.Threads);
        try
        {
            var model = DemoSoundEventModel.CreateUntrained(options.Model, options.Seed);
            var network = model.Network;
            var all = LoadFeatures(corpus, network);
            var train = all.Where((_, i) => i % options.ValidationEvery != 0).ToList();
            var validation = all.Where((_, i) => i % options.ValidationEvery == 0).ToList();
            if (train.Count == 0 || validation.Count == 0)
            {
                throw new ArgumentException($"The corpus '{corpus.Directory}' has {all.Count} clips: too few to hold out every {options.ValidationEvery}-th for validation.", nameof(corpus));
            }

            Standardise(network, train, all);
            using var optimizer = new DemoAdam(network.parameters(), options.LearningRate, options.Epochs);
            // No weight tensor at the default 1, so that the default loss is libtorch's unweighted one.
            using var positiveWeights = options.PositiveWeight == 1.0
                ? null
                : tensor(Enumerable.Repeat((float)options.PositiveWeight, DemoSoundLabels.All.Count).ToArray()).DetachFromDisposeScope();
            var history = new List<DemoEvaluation>();
            var shuffle = new DemoRandom(options.Seed, 7919);
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var batches = Batches(train, options.BatchSize, shuffle);
                optimizer.Epoch = epoch - 1;
                network.train();
                var lossSum = 0.0;
                for (var step = 0; step < batches.Count; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var batch = batches[step];
                    var inputs = stack(batch.Select(c => c.LogMel).ToArray());
                    var targets = stack(batch.Select(c => c.Targets).ToArray());
                    optimizer.ZeroGrad();
                    var loss = nn.functional.binary_cross_entropy_with_logits(network.ClassifyLogMel(inputs), targets, pos_weights: positiveWeights);
                    loss.backward();
                    optimizer.Step();
                    lossSum += loss.item<float>();
                    progress?.Report(new DemoTrainingProgress(epoch, options.Epochs, step + 1, batches.Count, lossSum / (step + 1), null));
                }

                var evaluation = Evaluate(network, validation);
                history.Add(evaluation);
                progress?.Report(new DemoTrainingProgress(epoch, options.Epochs, batches.Count, batches.Count, lossSum / batches.Count, evaluation));
            }

            var trainEvaluation = Evaluate(network, train);
            foreach (var clip in all)
            {
                clip.Dispose();
            }

            network.eval();
            return new DemoTrainingResult(model, train.Count, trainEvaluation, history[^1], history, stopwatch.Elapsed, options);
        }
        finally
        {
            set_num_threads(previousThreads);
        }
    }

    /// <summary>Figures of a model on waveforms with known labels (computed by TorchSharp, one clip at a time).</summary>
    public static DemoEvaluation Evaluate(DemoSoundEventModel model, IReadOnlyList<(float[] Samples, IReadOnlyList<string> Labels)> clips)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clips);
        var scores = clips.Select(c => model.PredictLogits([c.Samples])[0]).ToList();
        return Score(scores, clips.Select(c => Targets(c.Labels)).ToList());
    }

    internal static DemoEvaluation Score(IReadOnlyList<float[]> logits, IReadOnlyList<float[]> targets)
    {
        double loss = 0, top = 0, exact = 0, truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (var c = 0; c < logits.Count; c++)
        {
            var l = logits[c];
            var t = targets[c];
            var best = 0;
            var same = true;
            for (var k = 0; k < l.Length; k++)
            {
                // Numerically stable BCE with logits.
                loss += Math.Max(l[k], 0) - (l[k] * t[k]) + Math.Log(1 + Math.Exp(-Math.Abs(l[k])));
                best = l[k] > l[best] ? k : best;
                var predicted = l[k] > 0;
                var actual = t[k] > 0.5f;
                same &= predicted == actual;
                truePositives += predicted && actual ? 1 : 0;
                falsePositives += predicted && !actual ? 1 : 0;
                falseNegatives += !predicted && actual ? 1 : 0;
            }

            top += t[best] > 0.5f ? 1 : 0;
            exact += same ? 1 : 0;
        }

        var n = Math.Max(1, logits.Count);
        var f1 = truePositives == 0 ? 0 : 2 * truePositives / ((2 * truePositives) + falsePositives + falseNegatives);
        return new DemoEvaluation(logits.Count, loss / (n * Math.Max(1, logits.FirstOrDefault()?.Length ?? 1)), top / n, exact / n, f1);
    }

    internal static float[] Targets(IReadOnlyList<string> labels)
    {
        var targets = new float[DemoSoundLabels.All.Count];
        foreach (var label in labels)
        {
            targets[DemoSoundLabels.IndexOf(label)] = 1;
        }

        return targets;
    }

    private static DemoEvaluation Evaluate(DemoSoundEventNetwork network, IReadOnlyList<ClipFeatures> clips)
    {
        network.eval();
        using var noGrad = no_grad();
        var logits = new float[clips.Count][];
        foreach (var group in clips.Select((c, i) => (Clip: c, Index: i)).GroupBy(x => x.Clip.LogMel.shape[1]))
        {
            foreach (var chunk in group.Chunk(64))
            {
                using var scope = NewDisposeScope();
                var output = network.ClassifyLogMel(stack(chunk.Select(x => x.Clip.LogMel).ToArray())).contiguous().data<float>().ToArray();
                for (var j = 0; j < chunk.Length; j++)
                {
                    logits[chunk[j].Index] = output.AsSpan(j * DemoSoundLabels.All.Count, DemoSoundLabels.All.Count).ToArray();
                }
            }
        }

        return Score(logits, [.. clips.Select(c => c.TargetValues)]);
    }

    private static List<ClipFeatures> LoadFeatures(DemoCorpus corpus, DemoSoundEventNetwork network)
    {
        var clips = new List<ClipFeatures>(corpus.Entries.Count);
        using var noGrad = no_grad();
        foreach (var entry in corpus.Entries)
        {
            var samples = AudioLoader.LoadMono(entry.Path, DemoCorpusGenerator.SampleRate);
            if (samples.Length < DemoSoundEventModel.MinimumSamples)
            {
                throw new ArgumentException($"Clip '{entry.Path}' has {samples.Length} samples; the demo model needs at least {DemoSoundEventModel.MinimumSamples}.", nameof(corpus));
            }

            using var waveform = tensor(samples, [1, samples.Length]);
            using var logMel = network.LogMel(waveform);
            var targets = Targets(entry.Labels);
            clips.Add(new ClipFeatures(logMel[0].clone().DetachFromDisposeScope(), tensor(targets).DetachFromDisposeScope(), targets));
        }

        return clips;
    }

    /// <summary>Sets the front end's per-band mean and scale from all frames of the training clips and standardises every cached feature.</summary>
    private static void Standardise(DemoSoundEventNetwork network, List<ClipFeatures> train, List<ClipFeatures> clips)
    {
        using var scope = NewDisposeScope();
        var frames = cat(train.Select(c => c.LogMel).ToArray(), 1);
        var mean = frames.mean([1]);
        using var floor = 1e-3f.ToScalar();
        var scale = frames.std(1).clamp_min(floor).reciprocal();
        var meanValues = mean.data<float>().ToArray();
        var scaleValues = scale.data<float>().ToArray();
        network.SetBandNormalisation(meanValues, scaleValues);
        using var noGrad = no_grad();
        var m = mean.reshape(-1, 1);
        var s = scale.reshape(-1, 1);
        using var minusOne = (-1f).ToScalar();
        foreach (var clip in clips)
        {
            clip.LogMel.add_(m, minusOne).mul_(s);
        }
    }

    private static List<ClipFeatures[]> Batches(List<ClipFeatures> clips, int batchSize, DemoRandom random)
    {
        var batches = new List<ClipFeatures[]>();
        foreach (var group in clips.GroupBy(c => c.LogMel.shape[1]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            Shuffle(members, random);
            batches.AddRange(members.Chunk(batchSize));
        }

        var ordered = batches.ToArray();
        Shuffle(ordered, random);
        return [.. ordered];
    }

    private static void Shuffle<T>(T[] items, DemoRandom random)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private sealed record ClipFeatures(Tensor LogMel, Tensor Targets, float[] TargetValues) : IDisposable
    {
        public void Dispose()
        {
            LogMel.Dispose();
            Targets.Dispose();
        }
    }
}
