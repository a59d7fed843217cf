using ArdMl.Activations;
using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace ArdMl.Tests.Steering;

/// <summary>The described recurrent chunk model (models/silero-vad.json) on the real Silero VAD export.</summary>
public sealed class RecurrentChunkSteeringModelTests
{
    [SkippableFact]
    public void Described_Silero_matches_the_unsplit_model_run_chunk_by_chunk()
    {
        Skip.If(SteeringTestModels.SileroOp15 is null || SteeringTestModels.SonicPiSamples is null, SharedAssets.MissingMessage);
        using var described = SteeringTestModels.OpenSilero();
        described.TapWidth.Should().Be(128);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var original = new InferenceSession(SteeringTestModels.SileroOp15!, options);
        foreach (var path in SteeringTestModels.SonicPiClips(2, 30).Concat(SteeringTestModels.FsddClips(1)))
        {
            var samples = SteeringTestModels.LoadSeconds(path, 0.7);
            var expected = SileroSteeringTests.RunOriginal(original, samples);
            var actual = described.Run(samples, null);
            actual.Should().HaveCount(expected.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                actual[i].Should().BeApproximately(expected[i], 1e-5f, $"chunk {i} of {Path.GetFileName(path)}");
            }

            described.CollectTapFrames(samples).Should().HaveCount(expected.Length * 128, "one 128-d encoder frame per chunk");
        }
    }

    [SkippableFact]
    public void A_description_naming_an_absent_state_input_is_refused_with_the_field_and_the_model_inputs()
    {
        Skip.If(SteeringTestModels.SileroOp15 is null, SharedAssets.MissingMessage);
        var json = File.ReadAllText(Path.Combine(SharedAssets.RepositoryRoot, "models", "silero-vad.json"))
            .Replace("\"input\": \"state\"", "\"input\": \"hidden\"", StringComparison.Ordinal);
        var description = ModelDescription.Parse(json, "edited.json", Path.Combine(SharedAssets.RepositoryRoot, "models"));
        FluentActions.Invoking(() => DescribedSteeringModel.Open(description, SteeringTestModels.SileroEncoderTap, "output"))
            .Should().Throw<ArgumentException>().WithMessage("*frontEnd.state.input*'hidden'*input, state, sr*");
    }
}
