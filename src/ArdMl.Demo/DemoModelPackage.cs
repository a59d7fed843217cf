using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ArdMl.Demo;

/// <summary>
/// Writes a trained demo model as the files committed under <c>models/demo</c>: the ONNX model, its model
/// description (the JSON schema of <c>models/README.md</c>: raw-waveform windows, the hidden layer as default tap) and
/// the training figures.
/// </summary>
public static class DemoModelPackage
{
    /// <summary>File name of the ONNX model.</summary>
    public const string ModelFile = "demo-sound-events.onnx";

    /// <summary>File name of the model description.</summary>
    public const string DescriptionFile = "demo-sound-events.json";

    /// <summary>File name of the training figures.</summary>
    public const string TrainingFile = "training.json";

    /// <summary>Samples per window of the description's front end (1 s).</summary>
    public const int WindowSamples = DemoCorpusGenerator.SampleRate;

    /// <summary>The committed description's path relative to the repository root.</summary>
    public static readonly string CommittedDescriptionPath = Path.Combine("models", "demo", DescriptionFile);

    /// <summary>
    /// Finds the committed demo model description (<c>models/demo/demo-sound-events.json</c>) by walking up from the
    /// application's folder, then from the current folder; null where neither lies inside a checkout of the repository.
    /// </summary>
    public static string? FindCommittedDescription() => FindAbove(CommittedDescriptionPath);

    /// <summary>
    /// Finds a file by its path relative to some folder above the application's folder or the current folder (in that
    /// order); null where none has it.
    /// </summary>
    public static string? FindAbove(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Writes the three files into <paramref name="directory"/> (created if needed); returns their paths.</summary>
    public static IReadOnlyList<string> Write(DemoTrainingResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var onnx = result.Model.ToOnnx();
        var modelPath = Path.Combine(root, ModelFile);
        File.WriteAllBytes(modelPath, onnx);
        var descriptionPath = Path.Combine(root, DescriptionFile);
        File.WriteAllText(descriptionPath, DescriptionJson(Convert.ToHexStringLower(SHA256.HashData(onnx))), new UTF8Encoding(false));
        var trainingPath = Path.Combine(root, TrainingFile);
        File.WriteAllText(trainingPath, TrainingJson(result), new UTF8Encoding(false));
        return [modelPath, descriptionPath, trainingPath];
    }

    /// <summary>The model description JSON for a model file with the given SHA-256.</summary>
    public static string DescriptionJson(string modelSha256)
    {
        var description = new
        {
            formatVersion = 1,
            name = "demo-sound-events",
            summary = "ArdMl demo sound-event model, trained on the generated demo corpus: raw 16 kHz waveform in 1 s windows; " +
                "built-in log-mel, three Conv1d/ReLU layers; the hidden layer conv3 has 128 channels at 25 frames per second (24 per 1 s window).",
            license = "Same licence as the ArdMl repository (trained by ard demo train-model on generated data).",
            model = ModelFile,
            modelSha256,
            sampleRate = DemoCorpusGenerator.SampleRate,
            frontEnd = new
            {
                kind = "windows",
                input = DemoSoundEventModel.InputName,
                inputShape = new[] { -1, WindowSamples },
                windowSamples = WindowSamples,
                hopSamples = WindowSamples,
                tail = "pad",
                shortClip = "pad",
            },
            defaultTaps = new[] { DemoSoundEventModel.HiddenTap },
            tapLayouts = new object[]
            {
                new { match = "^/(encoder|frontend)/", regex = true, rank = 3, batchAxis = 0, timeAxis = 2 },
            },
            defaultTapLayout = new { batchAxis = 0 },
        };
        return JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static string TrainingJson(DemoTrainingResult result)
    {
        static object Figures(DemoEvaluation e) => new
        {
            clips = e.ClipCount,
            loss = Math.Round(e.Loss, 4),
            topLabelAccuracy = Math.Round(e.TopLabelAccuracy, 4),
            exactSetAccuracy = Math.Round(e.ExactSetAccuracy, 4),
            microF1 = Math.Round(e.MicroF1, 4),
        };

        var o = result.Options;
        var report = new
        {
            labels = result.Model.Labels,
            options = new
            {
                epochs = o.Epochs,
                batchSize = o.BatchSize,
                learningRate = o.LearningRate,
                positiveWeight = o.PositiveWeight,
                seed = o.Seed,
                validationEvery = o.ValidationEvery,
                threads = o.Threads,
                melBands = o.Model.MelBands,
                conv1Channels = o.Model.Conv1Channels,
                conv2Channels = o.Model.Conv2Channels,
                hiddenChannels = o.Model.HiddenChannels,
            },
            trainClips = result.TrainClipCount,
            train = Figures(result.Train),
            validation = Figures(result.Validation),
            validationTopLabelAccuracyByEpoch = result.ValidationHistory.Select(e => Math.Round(e.TopLabelAccuracy, 4)).ToArray(),
            trainingSeconds = Math.Round(result.Elapsed.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture),
        };
        return JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
