using ArdMl.Activations;

namespace ArdMl.Steering;

/// <summary>
/// Opens a steering model for any model described by a <see cref="ModelDescription"/> (models/*.json): Silero-style
/// recurrent chunk models become a <see cref="RecurrentChunkSteeringModel"/>, windowed models a
/// <see cref="WindowedSteeringModel"/> whose clip output is the named output averaged over the clip's windows.
/// </summary>
public static class DescribedSteeringModel
{
    /// <summary>Splits the described model at <paramref name="tap"/> and opens it as a steering model.</summary>
    /// <param name="description">The model description.</param>
    /// <param name="tap">The value to steer.</param>
    /// <param name="outputName">The original output that forms the clip's output vector.</param>
    /// <param name="axes">How the tap maps to frames × d; null derives it from the description's tap layouts.</param>
    /// <returns>The steering model (dispose it).</returns>
    /// <exception cref="NotSupportedException">The description's front end cannot be steered.</exception>
    public static ISteeringModel Open(ModelDescription description, string tap, string outputName, TapAxisSpec? axes = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentException.ThrowIfNullOrEmpty(tap);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        axes ??= AxesFor(description, tap);
        var modelPath = description.ResolveModelPath();
        switch (description.FrontEnd.Kind)
        {
            case FrontEndKind.RecurrentChunks:
                return new RecurrentChunkSteeringModel(description, modelPath, tap, outputName, axes);
            case FrontEndKind.Windows:
                return new WindowedSteeringModel(description, modelPath, tap, outputName, axes);
            default:
                throw new NotSupportedException(
                    $"{description.Name}: steering supports the front ends 'windows' and 'recurrentChunks'; this model's is '{description.FrontEnd.Kind}'.");
        }
    }

    /// <summary>
    /// The tap's frames × d mapping from the first layout rule of <paramref name="description"/> that names a rank and
    /// matches <paramref name="tap"/>: frames = batch (and time) axes, d = every other axis.
    /// </summary>
    /// <exception cref="ArgumentException">No rule with a rank matches the tap.</exception>
    public static TapAxisSpec AxesFor(ModelDescription description, string tap)
    {
        ArgumentNullException.ThrowIfNull(description);
        foreach (var rule in description.TapLayouts)
        {
            if (rule.Rank is int rank && rule.Matches(tap, rank))
            {
                var frames = new List<int> { Normalize(rule.BatchAxis, rank) };
                if (rule.TimeAxis is int time)
                {
                    frames.Add(Normalize(time, rank));
                }

                var features = Enumerable.Range(0, rank).Where(a => !frames.Contains(a)).ToList();
                return new TapAxisSpec(frames, features);
            }
        }

        throw new ArgumentException(
            $"{description.Name}: no tap layout rule with a rank matches tap '{tap}'; give the axes explicitly (e.g. 'frames=0,2;features=1').",
            nameof(tap));
    }

    private static int Normalize(int axis, int rank) => axis < 0 ? axis + rank : axis;
}
