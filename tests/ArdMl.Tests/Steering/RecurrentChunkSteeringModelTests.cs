using ArdMl.Activations;
using ArdMl.Steering;
using ArdMl.Tests.Infrastructure;

namespace ArdMl.Tests.Steering;

/// <summary>The described recurrent chunk model (models/silero-vad.json) on the real Silero VAD export.</summary>
public sealed class RecurrentChunkSteeringModelTests
{
    [SkippableFact]
    public void Described_Silero_matches_the_hand_written_chunk_loop_unsteered_and_steered()
    {
        Skip.If(SteeringTestModels.SileroOp15 is null || SteeringTestModels.SonicPiSamples is null, SharedAssets.MissingMessage);
        var description = ModelDescription.Load(Path.Combine(SharedAssets.RepositoryRoot, "models", "silero-vad.json"));
        using var described = (RecurrentChunkSteeringModel)DescribedSteeringModel.Open(description, SteeringTestModels.SileroEncoderTap, "output");
        using var reference = new SileroVadSteeringModel(SteeringTestModels.SileroOp15!);
        described.TapWidth.Should().Be(reference.TapWidth);
        var neuron = new NeuronIntervention(described.TapWidth, 7, new SteeringEdit(SteeringMode.Add, 20, Frames: [3, 4, 5]));
        foreach (var path in SteeringTestModels.SonicPiClips(2, 30))
        {
            var samples = SteeringTestModels.LoadSeconds(path, 0.7);
            described.Run(samples, null).Should().Equal(reference.Run(samples, null));
            described.Run(samples, neuron).Should().Equal(reference.Run(samples, neuron));
            described.CollectTapFrames(samples).Should().Equal(reference.CollectTapFrames(samples));
        }
    }
}
