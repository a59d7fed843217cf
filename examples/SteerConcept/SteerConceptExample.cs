using System.Globalization;
using ArdMl.Activations;
using ArdMl.Demo;
using ArdMl.Sae;
using ArdMl.Steering;

namespace ArdMl.Examples.SteerConcept;

/// <summary>
/// Steers a concept of the demo model: split it at its hidden layer, train a small Top-K SAE on that layer's frames,
/// pick the latent whose mean activation is highest on clips with a label relative to the others, add it to clips
/// without the label, and compare the label's probability before and after — and with the best raw neuron at equal
/// strength.
/// </summary>
public static class SteerConceptExample
{
    /// <summary>
    /// Runs the example. Options: <c>--label &lt;label&gt;</c> (default "white noise"), <c>--strength &lt;s&gt;</c> (activation-norm
    /// units added at every frame, default 20), <c>--clips &lt;n&gt;</c> (demo corpus size, default 80).
    /// </summary>
    /// <returns>0 on success.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var label = ExampleInputs.Option(args, "--label") ?? DemoSoundLabels.WhiteNoise;
        double strength = double.Parse(ExampleInputs.Option(args, "--strength") ?? "20", CultureInfo.InvariantCulture);
        int clipCount = int.Parse(ExampleInputs.Option(args, "--clips") ?? "80", CultureInfo.InvariantCulture);
        int labelIndex = DemoSoundLabels.IndexOf(label);
        var description = ModelDescription.Load(ExampleInputs.DemoModelDescription());
        var corpus = ExampleInputs.WriteDemoCorpus(clipCount);
        try
        {
            var clips = corpus.Entries.Select(e => (Clip: new SteeringClip(e.FileName, ArdMl.Audio.AudioLoader.LoadMono(e.Path)), e.Labels)).ToList();
            using var model = (WindowedSteeringModel)DescribedSteeringModel.Open(description, DemoSoundEventModel.HiddenTap, DemoSoundEventModel.ProbabilitiesOutput);
            output.WriteLine($"Split {description.Name} at {DemoSoundEventModel.HiddenTap} (d={model.TapWidth}); {clips.Count} demo clips.");

            var frames = clips.Select(c => model.CollectTapFrames(c.Clip.Samples)).ToList();
            var trainer = new SparseAutoencoderTrainer(new SparseAutoencoderTrainerOptions { LatentCount = 64, K = 4, Steps = 200, BatchSize = 128, Seed = 1 });
            using var sae = trainer.Train(frames, model.TapWidth).Autoencoder;
            using var adapter = new TopKSaeSteeringAdapter(sae);
            output.WriteLine($"Trained a Top-K SAE (m={adapter.LatentCount}, k=4) on {frames.Sum(f => f.Length) / model.TapWidth} frames.");

            var ranking = LabelContrastLatentSelector.Rank(model, adapter, [.. clips.Select(c => (c.Clip, c.Labels.Contains(label)))]);
            var best = ranking[0];
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Latent for '{label}': {best.Latent} (mean activation {best.MeanWithLabel:G3} with the label, {best.MeanWithoutLabel:G3} without)."));

            var others = clips.Where(c => !c.Labels.Contains(label)).Select(c => c.Clip).ToList();
            var target = new ThresholdTarget(0.5, OutputReduction.Element, ElementIndex: labelIndex);
            var intervention = new LatentIntervention(adapter, best.Latent, new SteeringEdit(SteeringMode.Add, strength, SteeringUnits.ActivationNorm));
            var comparison = new SteeringSensitivityAnalysis(model, target).CompareWithBestNeuron(others, intervention, candidateCount: 8);

            output.WriteLine($"P({label}) on clips without it, unsteered -> steered ({intervention.Description}):");
            foreach (var clip in comparison.Latent.Clips.Take(8))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {clip.ClipId}: {clip.UnsteeredScore:F3} -> {clip.SteeredScore:F3}"));
            }

            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Sensitivity (share of {comparison.Latent.Eligible} clips below {target.Description} that cross it): latent {comparison.Latent.Share:P1}, "
                + $"best neuron ({comparison.BestNeuron.Intervention}) {comparison.BestNeuron.Share:P1}."));
            return 0;
        }
        finally
        {
            Directory.Delete(corpus.Directory, recursive: true);
        }
    }
}
