using System.Globalization;
using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace ArdMl.Tests.Steering;

/// <summary>
/// End-to-end steering on Silero VAD: a speech direction at the encoder output (mean tap activation of FSDD speech
/// minus that of Sonic Pi non-speech samples), added on other Sonic Pi clips, must raise the speech probability.
/// </summary>
public sealed class SileroSteeringTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void SpeechDirectionMovesNonSpeechClipsTowardSpeechMoreThanTheBestNeuron()
    {
        var modelPath = SteeringTestModels.SileroOp15;
        Skip.If(modelPath is null || SteeringTestModels.FsddRecordings is null || SteeringTestModels.SonicPiSamples is null, SharedAssets.MissingMessage);
        using var model = SteeringTestModels.OpenSilero();
        model.TapWidth.Should().Be(128);

        var (direction, evaluation) = BuildDirection(model);
        var latent = new LatentIntervention(direction, 0, new SteeringEdit(SteeringMode.Add, 1.0));
        var analysis = new SteeringSensitivityAnalysis(model, new ThresholdTarget(0.5));
        var comparison = analysis.CompareWithBestNeuron(evaluation, latent, candidateCount: 8);

        Report(comparison, direction);
        comparison.Latent.Eligible.Should().BeGreaterThan(evaluation.Count / 2, "Silero should call most Sonic Pi samples non-speech");
        comparison.Latent.MeanScoreShift.Should().BeGreaterThan(0.1, "one step along the speech direction raises the mean speech probability");
        comparison.Latent.Moved.Should().BeGreaterThan(0);
        comparison.Latent.Share.Should().BeGreaterThan(comparison.BestNeuron.Share);

        // The opposite direction must not raise it.
        var away = analysis.Measure(evaluation, new LatentIntervention(direction, 0, new SteeringEdit(SteeringMode.Add, -1.0)));
        away.MeanScoreShift.Should().BeLessThan(0.01);
        output.WriteLine($"opposite direction: mean shift {away.MeanScoreShift:F3}, moved {away.Moved}/{away.Eligible}");
    }

    [SkippableFact]
    public void SideBySideRunReturnsUnsteeredAndSteeredChunkProbabilities()
    {
        var modelPath = SteeringTestModels.SileroOp15;
        Skip.If(modelPath is null || SteeringTestModels.SonicPiSamples is null, SharedAssets.MissingMessage);
        using var model = SteeringTestModels.OpenSilero();
        var samples = SteeringTestModels.LoadSeconds(SteeringTestModels.SonicPiClips(1, 40)[0], 0.5);
        // One 128-d frame per chunk: clip frame 5 is chunk 5. The steered state carries the edit forward.
        var neuron = new NeuronIntervention(model.TapWidth, 3, new SteeringEdit(SteeringMode.Add, 50, Frames: [5]));
        var comparison = SteeringComparison.Run(model, samples, neuron);
        comparison.Unsteered.Length.Should().Be(16);
        model.CollectTapFrames(samples).Length.Should().Be(16 * 128);
        comparison.Steered.Take(5).Should().Equal(comparison.Unsteered.Take(5), "chunks before the edit are untouched");
        comparison.Steered[5].Should().NotBe(comparison.Unsteered[5]);
        comparison.Steered.Skip(6).Should().NotEqual(comparison.Unsteered.Skip(6), "the steered LSTM state carries the edit on");
        model.Run(samples, null).Should().Equal(comparison.Unsteered, "runs are deterministic");
    }

    /// <summary>
    /// The figures of /work/notes/validate-benchmarks.md: sensitivity at several strengths for the speech direction
    /// and the best of 16 raw neurons at equal norm, and the cost of the split. Runs only with ARDML_STEERING_SWEEP=1
    /// (about a minute and a half on 2 cores).
    /// </summary>
    [SkippableFact]
    public void StrengthSweep()
    {
        var modelPath = SteeringTestModels.SileroOp15;
        Skip.If(modelPath is null || SteeringTestModels.FsddRecordings is null || SteeringTestModels.SonicPiSamples is null, SharedAssets.MissingMessage);
        Skip.If(Environment.GetEnvironmentVariable("ARDML_STEERING_SWEEP") != "1", "Set ARDML_STEERING_SWEEP=1 to run the steering sweep.");
        using var model = SteeringTestModels.OpenSilero();
        var (direction, evaluation) = BuildDirection(model);
        var analysis = new SteeringSensitivityAnalysis(model, new ThresholdTarget(0.5));
        var c = CultureInfo.InvariantCulture;
        foreach (var strength in new[] { 0.5, 1.0, 2.0, 4.0 })
        {
            var latent = new LatentIntervention(direction, 0, new SteeringEdit(SteeringMode.Add, strength));
            var comparison = analysis.CompareWithBestNeuron(evaluation, latent, candidateCount: 16);
            output.WriteLine(string.Create(c,
                $"| {strength:G3} | {strength * direction.DirectionNorm:F2} | {comparison.Latent.Moved}/{comparison.Latent.Eligible} = {comparison.Latent.Share:F2} | {comparison.Latent.MeanScoreShift:F3} | {comparison.BestNeuronIndex} | {comparison.BestNeuron.Moved}/{comparison.BestNeuron.Eligible} = {comparison.BestNeuron.Share:F2} | {comparison.BestNeuron.MeanScoreShift:F3} |"));
        }

        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var original = new InferenceSession(modelPath, options);
        int chunks = evaluation.Sum(e => (e.Samples.Length + 511) / 512);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int repeat = 0; repeat < 3; repeat++)
        {
            foreach (var clip in evaluation)
            {
                RunOriginal(original, clip.Samples);
            }
        }

        double originalMs = clock.Elapsed.TotalMilliseconds / (3.0 * chunks);
        clock.Restart();
        for (int repeat = 0; repeat < 3; repeat++)
        {
            foreach (var clip in evaluation)
            {
                model.Run(clip.Samples, null);
            }
        }

        double splitMs = clock.Elapsed.TotalMilliseconds / (3.0 * chunks);
        output.WriteLine(string.Create(c, $"per chunk: original {originalMs:F3} ms, split {splitMs:F3} ms, ratio {splitMs / originalMs:F2} ({chunks} chunks x 3)"));
    }

    /// <summary>The unsplit model run chunk by chunk as the reference code does: the speech probability of each chunk.</summary>
    internal static float[] RunOriginal(InferenceSession session, float[] samples)
    {
        var probabilities = new List<float>();
        var state = new float[256];
        var window = new float[576];
        using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []);
        for (int start = 0; start < samples.Length; start += 512)
        {
            Array.Copy(window, 512, window, 0, 64);
            Array.Clear(window, 64, 512);
            samples.AsSpan(start, Math.Min(512, samples.Length - start)).CopyTo(window.AsSpan(64));
            using var input = OrtValue.CreateTensorValueFromMemory(window, [1, 576]);
            using var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
            using var outputs = session.Run(
                new RunOptions(),
                new Dictionary<string, OrtValue> { ["input"] = input, ["state"] = stateValue, ["sr"] = sr },
                ["output", "stateN"]);
            probabilities.Add(outputs[0].GetTensorDataAsSpan<float>()[0]);
            state = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        }

        return [.. probabilities];
    }

    private static (SingleDirectionAutoencoder Direction, List<SteeringClip> Evaluation) BuildDirection(ISteeringModel model)
    {
        var speech = new List<float>();
        foreach (var path in SteeringTestModels.FsddClips(12))
        {
            speech.AddRange(model.CollectTapFrames(SteeringTestModels.LoadSeconds(path, 1.0)));
        }

        var sonic = Directory.GetFiles(SteeringTestModels.SonicPiSamples!, "*.flac").Order(StringComparer.Ordinal).Where((_, i) => i % 5 == 0).ToList();
        var nonSpeech = new List<float>();
        var evaluation = new List<SteeringClip>();
        for (int i = 0; i < sonic.Count; i++)
        {
            var samples = SteeringTestModels.LoadSeconds(sonic[i], 1.0);
            if (i % 2 == 0)
            {
                nonSpeech.AddRange(model.CollectTapFrames(samples));
            }
            else
            {
                evaluation.Add(new SteeringClip(Path.GetFileName(sonic[i]), samples));
            }
        }

        return (SingleDirectionAutoencoder.FromMeanDifference(speech.ToArray(), nonSpeech.ToArray(), model.TapWidth), evaluation);
    }

    private void Report(NeuronComparison comparison, SingleDirectionAutoencoder direction)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"direction norm {direction.DirectionNorm:F3}; target {comparison.Latent.Target}; clips {comparison.Latent.ClipCount}"));
        output.WriteLine(string.Create(c, $"latent: {comparison.Latent.Intervention}: moved {comparison.Latent.Moved}/{comparison.Latent.Eligible} = {comparison.Latent.Share:F3}, mean shift {comparison.Latent.MeanScoreShift:F3}"));
        foreach (var (neuron, s) in comparison.Candidates)
        {
            output.WriteLine(string.Create(c, $"neuron {neuron}: {s.Intervention}: moved {s.Moved}/{s.Eligible} = {s.Share:F3}, mean shift {s.MeanScoreShift:F3}"));
        }

        output.WriteLine(string.Create(c, $"best neuron {comparison.BestNeuronIndex}: share {comparison.BestNeuron.Share:F3}"));
        foreach (var clip in comparison.Latent.Clips)
        {
            output.WriteLine(string.Create(c, $"  {clip.ClipId}: {clip.UnsteeredScore:F3} -> {clip.SteeredScore:F3}"));
        }
    }
}
