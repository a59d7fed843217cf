using System.Globalization;

namespace ArdMl.Steering;

/// <summary>
/// The raw-neuron baseline: set, add to or scale one dimension j of the activations directly at the chosen frames.
/// Its direction is the unit vector e_j, so code values and <see cref="SteeringUnits.ActivationNorm"/> coincide.
/// </summary>
public sealed class NeuronIntervention : IActivationIntervention
{
    /// <summary>Creates the intervention on dimension <paramref name="neuron"/> of <paramref name="width"/>-wide activations.</summary>
    public NeuronIntervention(int width, int neuron, SteeringEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The activation width must be positive.");
        }

        if (neuron < 0 || neuron >= width)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"The neuron must lie in [0, {width}).");
        }

        Width = width;
        Neuron = neuron;
        Edit = edit;
    }

    /// <summary>The steered dimension.</summary>
    public int Neuron { get; }

    /// <summary>The edit.</summary>
    public SteeringEdit Edit { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public string Description =>
        string.Create(CultureInfo.InvariantCulture, $"neuron {Neuron} {Edit.Mode.ToString().ToLowerInvariant()} {Edit.Strength:G4}");

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> frames, int firstFrame = 0)
    {
        if (frames.Length % Width != 0)
        {
            throw new ArgumentException($"Frames must be row-major frames × {Width}; got {frames.Length} values.", nameof(frames));
        }

        int count = frames.Length / Width;
        var mask = Edit.FrameMask(count, firstFrame);
        var result = frames.ToArray();
        for (int f = 0; f < count; f++)
        {
            if (mask[f])
            {
                int i = (f * Width) + Neuron;
                result[i] = (float)Edit.Apply(result[i], 1);
            }
        }

        return result;
    }
}
