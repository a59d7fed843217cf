using System.Globalization;

namespace ArdMl.Steering;

/// <summary>
/// Steers one SAE latent: encode x, edit latent k's code at the chosen frames (set, add or scale; a latent that is not
/// among a frame's active codes counts as 0 there), decode, and add back the SAE error x − x̂, so the result is
/// x + Decode(z') − Decode(z): only the latent's direction changes. Frames that are not chosen are returned unchanged.
/// </summary>
public sealed class LatentIntervention : IActivationIntervention
{
    private readonly ISteerableAutoencoder _autoencoder;

    /// <summary>Creates the intervention on latent <paramref name="latent"/> of <paramref name="autoencoder"/>.</summary>
    public LatentIntervention(ISteerableAutoencoder autoencoder, int latent, SteeringEdit edit)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(edit);
        if (latent < 0 || latent >= autoencoder.LatentCount)
        {
            throw new ArgumentOutOfRangeException(nameof(latent), latent, $"The latent must lie in [0, {autoencoder.LatentCount}).");
        }

        _autoencoder = autoencoder;
        Latent = latent;
        Edit = edit;
        Direction = DecoderDirection(autoencoder, latent);
        DirectionNorm = Math.Sqrt(Direction.Sum(v => (double)v * v));
        if (!(DirectionNorm > 0))
        {
            throw new ArgumentException($"Latent {latent} has a zero decoder direction; it cannot be steered.", nameof(latent));
        }
    }

    /// <summary>Latent <paramref name="latent"/>'s decoder direction w = Decode(e_latent) − Decode(0) (the decoder is linear plus a bias).</summary>
    internal static float[] DecoderDirection(ISteerableAutoencoder autoencoder, int latent)
    {
        var zero = autoencoder.Decode(new LatentCodes(1, 1, [0f], [latent]));
        var one = autoencoder.Decode(new LatentCodes(1, 1, [1f], [latent]));
        return [.. one.Zip(zero, (a, b) => a - b)];
    }

    /// <summary>The steered latent.</summary>
    public int Latent { get; }

    /// <summary>The edit.</summary>
    public SteeringEdit Edit { get; }

    /// <summary>The latent's decoder direction w = Decode(e_k) − Decode(0).</summary>
    public IReadOnlyList<float> Direction { get; }

    /// <summary>‖w‖.</summary>
    public double DirectionNorm { get; }

    /// <inheritdoc />
    public int Width => _autoencoder.InputDim;

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture, $"latent {Latent} {Edit.Mode.ToString().ToLowerInvariant()} {Edit.Strength:G4}")
        + (Edit.Mode == SteeringMode.Scale ? string.Empty : Edit.Units == SteeringUnits.ActivationNorm ? " (activation norm)" : " (code value)");

    /// <summary>
    /// The same edit expressed in <see cref="SteeringUnits.ActivationNorm"/> units (unchanged for scale): the strength to
    /// give a raw neuron for an equal-strength comparison.
    /// </summary>
    public SteeringEdit InActivationNorm() =>
        Edit.Mode == SteeringMode.Scale || Edit.Units == SteeringUnits.ActivationNorm
            ? Edit with { Units = SteeringUnits.ActivationNorm }
            : Edit with { Strength = Edit.Strength * DirectionNorm, Units = SteeringUnits.ActivationNorm };

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> frames, int firstFrame = 0)
    {
        int d = Width;
        if (frames.Length % d != 0)
        {
            throw new ArgumentException($"Frames must be row-major frames × {d}; got {frames.Length} values.", nameof(frames));
        }

        int count = frames.Length / d;
        var mask = Edit.FrameMask(count, firstFrame);
        var codes = _autoencoder.Encode(frames);
        if (codes.FrameCount != count)
        {
            throw new InvalidOperationException($"The autoencoder encoded {count} frames into {codes.FrameCount} code rows.");
        }

        var reconstruction = _autoencoder.Decode(codes);
        double unitScale = Edit.Units == SteeringUnits.ActivationNorm ? 1 / DirectionNorm : 1;
        int width = codes.Width + 1;
        var values = new float[count * width];
        var indices = new int[count * width];
        for (int f = 0; f < count; f++)
        {
            int slot = -1;
            for (int s = 0; s < codes.Width; s++)
            {
                values[(f * width) + s] = codes.Values[(f * codes.Width) + s];
                indices[(f * width) + s] = codes.Indices[(f * codes.Width) + s];
                if (indices[(f * width) + s] == Latent)
                {
                    slot = (f * width) + s;
                }
            }

            int extra = (f * width) + codes.Width;
            indices[extra] = Latent;
            if (mask[f])
            {
                double current = slot >= 0 ? values[slot] : 0;
                var steered = (float)Edit.Apply(current, unitScale);
                if (slot >= 0)
                {
                    values[slot] = steered;
                }
                else
                {
                    values[extra] = steered;
                }
            }
        }

        var steeredReconstruction = _autoencoder.Decode(new LatentCodes(count, width, values, indices));
        var result = frames.ToArray();
        for (int f = 0; f < count; f++)
        {
            if (!mask[f])
            {
                continue;
            }

            for (int j = 0; j < d; j++)
            {
                int i = (f * d) + j;
                result[i] = steeredReconstruction[i] + (frames[i] - reconstruction[i]);
            }
        }

        return result;
    }
}
