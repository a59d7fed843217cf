using System.CommandLine;
using ArdMl.Activations;
using ArdMl.Audio;
using ArdMl.Cli.Commands;
using ArdMl.Demo;
using ArdMl.Sae;
using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Tests.SteerCli;

[Collection(InProcessCliCollection.Name)]
public sealed class SteerCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"ardml-steer-{Guid.NewGuid():N}");

    public SteerCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("output:>=0.5", "output", true, 0.5)]
    [InlineData("probabilities:<=0.25", "probabilities", false, 0.25)]
    public void Threshold_targets_name_the_output_and_direction(string text, string output, bool above, double threshold)
    {
        var (name, target) = SteerCommand.ParseTarget(text);
        name.Should().Be(output);
        target.Should().Be(new ThresholdTarget(threshold, OutputReduction.Mean, above));
    }

    [Fact]
    public void Class_targets_split_at_the_last_colon()
    {
        var (name, target) = SteerCommand.ParseTarget("serving:0:3");
        name.Should().Be("serving:0");
        target.Should().Be(new ClassTarget(3));
        FluentActions.Invoking(() => SteerCommand.ParseTarget("logits")).Should().Throw<FormatException>().WithMessage("*--target 'logits'*");
        FluentActions.Invoking(() => SteerCommand.ParseTarget("logits:>=x")).Should().Throw<FormatException>().WithMessage("*'x' is not a number*");
        FluentActions.Invoking(() => SteerCommand.ParseTarget("logits:-1")).Should().Throw<FormatException>();
    }

    [Fact]
    public void Frames_parse_as_all_ranges_and_lists()
    {
        SteerCommand.ParseFrames("all").Should().BeNull();
        SteerCommand.ParseFrames("2-4, 7").Should().Equal(2, 3, 4, 7);
        FluentActions.Invoking(() => SteerCommand.ParseFrames("4-2")).Should().Throw<FormatException>().WithMessage("*ends before it starts*");
        FluentActions.Invoking(() => SteerCommand.ParseFrames("a")).Should().Throw<FormatException>().WithMessage("*'a' is not a frame index*");
    }

    [Fact]
    public void Windowed_model_averages_the_original_output_over_the_clips_windows()
    {
        var description = ModelDescription.Load(DemoDescriptionPath());
        var clip = DemoCorpusGenerator.Generate(7, 3).Samples;
        using var model = (WindowedSteeringModel)DescribedSteeringModel.Open(description, DemoSoundEventModel.HiddenTap, DemoSoundEventModel.ProbabilitiesOutput);
        int windows = model.WindowCount(clip.Length);
        windows.Should().Be((clip.Length + 15999) / 16000);

        var batch = new float[windows * 16000];
        clip.CopyTo(batch, 0);
        using var session = new InferenceSession(description.ResolveModelPath());
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [windows, 16000]);
        using var results = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["waveform"] = input }, [DemoSoundEventModel.ProbabilitiesOutput]);
        var flat = results[0].GetTensorDataAsSpan<float>().ToArray();
        int classes = flat.Length / windows;
        var expected = Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, windows).Average(w => flat[(w * classes) + c])).ToArray();

        var actual = model.Run(clip, null);
        actual.Should().HaveCount(classes);
        actual.Select(v => (double)v).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-5);
        (model.CollectTapFrames(clip).Length % model.TapWidth).Should().Be(0);
    }

    [Fact]
    public void Axes_come_from_the_descriptions_tap_layout()
    {
        var description = ModelDescription.Load(DemoDescriptionPath());
        DescribedSteeringModel.AxesFor(description, DemoSoundEventModel.HiddenTap).Should().BeEquivalentTo(TapAxisSpec.ChannelsFirst);
        FluentActions.Invoking(() => DescribedSteeringModel.AxesFor(description, "logits")).Should().Throw<ArgumentException>().WithMessage("*no tap layout rule*");
    }

    [Fact]
    public void Steer_picks_the_labels_latent_and_writes_per_clip_scores()
    {
        var (steerFolder, _) = WriteDemoSteeringSetup();
        const string Label = DemoSoundLabels.WhiteNoise;
        var csv = Path.Combine(_directory, "out.csv");
        var root = new RootCommand { SteerCommand.Create() };
        int exit = root.Parse(
        [
            "steer", "-d", DemoDescriptionPath(), "-t", DemoSoundEventModel.HiddenTap, "--sae", Path.Combine(_directory, "sae"),
            "--latent", $"auto:{Path.Combine(_directory, "labels.csv")}:{Label}", "-a", steerFolder, "--mode", "add", "--strength", "10,30",
            "--target", $"{DemoSoundEventModel.ProbabilitiesOutput}:>=0.5", "--neurons", "2", "-o", csv,
        ]).Invoke();

        exit.Should().Be(0);
        var rows = File.ReadAllLines(csv);
        rows[0].Should().Be("strength,role,intervention,clip,unsteered_score,steered_score,unsteered_reached,steered_reached,mean_edit_norm");
        rows.Skip(1).Should().HaveCount(2 * 3 * 6, "two strengths × (latent, label-chosen neuron, optimistic neuron) × 6 clips");
        rows.Skip(1).Take(6).Should().OnlyContain(r => r.StartsWith("10,latent,latent ", StringComparison.Ordinal));
        rows.Skip(7).Take(6).Should().OnlyContain(r => r.StartsWith("10,label-neuron,neuron ", StringComparison.Ordinal));
        rows.Skip(13).Take(6).Should().OnlyContain(r => r.StartsWith("10,optimistic-neuron,neuron ", StringComparison.Ordinal));
        rows.Skip(19).Should().OnlyContain(r => r.StartsWith("30,", StringComparison.Ordinal));
        foreach (var row in rows.Skip(1))
        {
            var fields = row.Split(',');
            double.Parse(fields[^1], System.Globalization.CultureInfo.InvariantCulture).Should().BeApproximately(
                double.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), 1e-3,
                "an add of s in activation-norm units changes each frame by an L2 norm of s, for the latent and the neurons alike");
        }
    }

    [Fact]
    public void Steer_trial_keeps_the_candidates_that_steer_the_labels_other_clips_most()
    {
        var (steerFolder, corpus) = WriteDemoSteeringSetup();
        const string Label = DemoSoundLabels.WhiteNoise;
        const int Candidates = 3;
        double[] strengths = [10, 30];
        var description = ModelDescription.Load(DemoDescriptionPath());
        var target = new ThresholdTarget(0.5);
        int expectedLatent, expectedNeuron;
        using (var model = (WindowedSteeringModel)DescribedSteeringModel.Open(description, DemoSoundEventModel.HiddenTap, DemoSoundEventModel.ProbabilitiesOutput))
        using (var sae = SparsifyFormat.Load(Path.Combine(_directory, "sae")))
        using (var adapter = new TopKSaeSteeringAdapter(sae))
        {
            var frames = corpus.Entries.Select(e => (model.CollectTapFrames(AudioLoader.LoadMono(e.Path)), e.Labels.Contains(Label))).ToList();
            var others = corpus.Entries.Where(e => !e.Labels.Contains(Label))
                .Select(e => new SteeringClip($"corpus/clips/{e.FileName}", AudioLoader.LoadMono(e.Path))).ToList();
            var latentCandidates = LabelContrastLatentSelector.Rank(frames, adapter).Take(Candidates).Select(l => l.Latent).ToList();
            var neuronCandidates = LabelContrastNeuronSelector.Rank(frames, model.TapWidth).Take(Candidates).Select(n => n.Neuron).ToList();
            var analysis = new SteeringSensitivityAnalysis(model, target);
            expectedLatent = SteeringTrial.RankLatents(analysis, others, adapter, latentCandidates, SteeringMode.Add, strengths)[0].Unit;
            expectedNeuron = SteeringTrial.RankNeurons(analysis, others, model.TapWidth, neuronCandidates, SteeringMode.Add, strengths)[0].Unit;
            (expectedLatent, expectedNeuron).Should().NotBe((latentCandidates[0], neuronCandidates[0]), "on this setup the trial changes a choice, so the test sees whether it ran");
        }

        var csv = Path.Combine(_directory, "trial.csv");
        var root = new RootCommand { SteerCommand.Create() };
        string[] arguments =
        [
            "steer", "-d", DemoDescriptionPath(), "-t", DemoSoundEventModel.HiddenTap, "--sae", Path.Combine(_directory, "sae"),
            "--latent", $"auto:{Path.Combine(_directory, "labels.csv")}:{Label}", "-a", steerFolder, "--mode", "add", "--strength", "10,30",
            "--target", $"{DemoSoundEventModel.ProbabilitiesOutput}:>=0.5", "--neurons", "1", "--trial-candidates", $"{Candidates}", "-o", csv,
        ];
        root.Parse(arguments).Invoke().Should().Be(0);

        var rows = File.ReadAllLines(csv).Skip(1).Select(r => r.Split(',')).ToList();
        rows.Where(r => r[1] == "latent").Should().OnlyContain(r => r[2].StartsWith($"latent {expectedLatent} ", StringComparison.Ordinal));
        rows.Where(r => r[1] == "label-neuron").Should().OnlyContain(r => r[2].StartsWith($"neuron {expectedNeuron} ", StringComparison.Ordinal));
        root.Parse([.. arguments.Select(a => a.StartsWith("auto:", StringComparison.Ordinal) ? "0" : a)]).Invoke()
            .Should().Be(1, "a trial needs the label rule's candidates (--latent auto:)");
    }

    [Fact]
    public void Steer_reports_a_missing_sae_and_returns_1()
    {
        var root = new RootCommand { SteerCommand.Create() };
        int exit = root.Parse(
        [
            "steer", "-d", DemoDescriptionPath(), "-t", DemoSoundEventModel.HiddenTap, "--sae", Path.Combine(_directory, "nothing"),
            "--latent", "0", "-a", _directory, "--target", "logits:0",
        ]).Invoke();
        exit.Should().Be(1);
    }

    [SkippableFact]
    public void Silero_description_opens_a_chunked_steering_model_at_the_encoder()
    {
        Skip.If(SharedAssets.TryGet("models", "silero-vad", "silero_vad_16k_op15.onnx") is null, SharedAssets.MissingMessage);
        var description = ModelDescription.Load(Path.Combine(SharedAssets.RepositoryRoot, "models", "silero-vad.json"));
        var tap = "/model/encoder/3/activation/Relu_output_0";
        var model = DescribedSteeringModel.Open(description, tap, "output");
        using var silero = model.Should().BeOfType<RecurrentChunkSteeringModel>().Subject;
        silero.TapWidth.Should().Be(128);
        silero.Run(new float[description.FrontEnd.WindowSamples * 3], null).Should().HaveCount(3);
        FluentActions.Invoking(() => DescribedSteeringModel.Open(description, tap, "nothing"))
            .Should().Throw<ArgumentException>().WithMessage("*output 'nothing'*output, stateN*");
    }

    /// <summary>Writes a 30-clip demo corpus, a labels CSV over it, an SAE on its tap and a folder of 6 clips without white noise.</summary>
    private (string SteerFolder, DemoCorpus Corpus) WriteDemoSteeringSetup()
    {
        var corpus = DemoCorpus.Load(DemoCorpusGenerator.Write(Path.Combine(_directory, "corpus"), new DemoCorpusOptions { ClipCount = 30 }).Directory);
        var description = ModelDescription.Load(DemoDescriptionPath());
        const string Label = DemoSoundLabels.WhiteNoise;
        var steerFolder = Path.Combine(_directory, "steer");
        Directory.CreateDirectory(steerFolder);
        using (var model = (WindowedSteeringModel)DescribedSteeringModel.Open(description, DemoSoundEventModel.HiddenTap, DemoSoundEventModel.ProbabilitiesOutput))
        {
            var frames = corpus.Entries.Select(e => model.CollectTapFrames(AudioLoader.LoadMono(e.Path))).ToList();
            using var sae = new SparseAutoencoderTrainer(new SparseAutoencoderTrainerOptions { LatentCount = 32, K = 4, Steps = 60, BatchSize = 128, Seed = 3 })
                .Train(frames, model.TapWidth).Autoencoder;
            SparsifyFormat.Save(sae, Path.Combine(_directory, "sae"));
        }

        var labels = new List<string> { "clip,text" };
        labels.AddRange(corpus.Entries.Select(e => $"corpus/clips/{e.FileName},{string.Join(';', e.Labels)}"));
        File.WriteAllLines(Path.Combine(_directory, "labels.csv"), labels);
        foreach (var entry in corpus.Entries.Where(e => !e.Labels.Contains(Label)).Take(6))
        {
            File.Copy(entry.Path, Path.Combine(steerFolder, entry.FileName));
        }

        return (steerFolder, corpus);
    }

    private static string DemoDescriptionPath() =>
        Path.Combine(SharedAssets.RepositoryRoot, "models", "demo", DemoModelPackage.DescriptionFile);
}
