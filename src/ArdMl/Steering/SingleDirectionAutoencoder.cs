namespace ArdMl.Steering;

/// <summary>
/// A rank-one linear autoencoder along one direction v (one latent): code z = ⟨x − origin, v⟩ / ⟨v, v⟩ (signed, so
/// z = 1 is one full step of v), reconstruction origin + z·v. It lets a plain direction — for example the mean
/// difference of tap activations between two sets of clips (<see cref="FromMeanDifference"/>) — be steered by the
/// same machinery as an SAE latent: with the error added back, steering moves activations along v only.
/// </summary>
public sealed class SingleDirectionAutoencoder : ISteerableAutoencoder
{
    private readonly float[] _direction;
    private readonly float[] _origin;
    private readonly double _squaredNorm;

    /// <summary>Creates the autoencoder for <paramref name="direction"/> (non-zero, finite) around <paramref name="origin"/> (zero when null).</summary>
    public SingleDirectionAutoencoder(float[] direction, float[]? origin = null)
    {
        ArgumentNullException.ThrowIfNull(direction);
        _squaredNorm = direction.Sum(v => (double)v * v);
        if (direction.Length == 0 || !double.IsFinite(_squaredNorm) || _squaredNorm == 0)
        {
            throw new ArgumentException("The steering direction must be a non-empty, finite, non-zero vector.", nameof(direction));
        }

        if (origin is not null && origin.Length != direction.Length)
        {
            throw new ArgumentException($"The origin has {origin.Length} values; the direction has {direction.Length}.", nameof(origin));
        }

        _direction = [.. direction];
        _origin = origin is null ? new float[direction.Length] : [.. origin];
    }

    /// <summary>The direction v.</summary>
    public IReadOnlyList<float> Direction => _direction;

    /// <summary>‖v‖.</summary>
    public double DirectionNorm => Math.Sqrt(_squaredNorm);

    /// <inheritdoc />
    public int InputDim => _direction.Length;

    /// <inheritdoc />
    public int LatentCount => 1;

    /// <summary>
    /// The direction from the mean of <paramref name="from"/> frames to the mean of <paramref name="to"/> frames
    /// (both row-major frames × <paramref name="width"/>), with the mean of <paramref name="from"/> as origin.
    /// </summary>
    public static SingleDirectionAutoencoder FromMeanDifference(ReadOnlySpan<float> to, ReadOnlySpan<float> from, int width)
    {
        var meanTo = Mean(to, width, nameof(to));
        var meanFrom = Mean(from, width, nameof(from));
        var direction = new float[width];
        for (int j = 0; j < width; j++)
        {
            direction[j] = (float)(meanTo[j] - meanFrom[j]);
        }

        return new SingleDirectionAutoencoder(direction, [.. meanFrom.Select(v => (float)v)]);
    }

    /// <inheritdoc />
    public LatentCodes Encode(ReadOnlySpan<float> frames)
    {
        int d = _direction.Length;
        if (frames.Length % d != 0)
        {
            throw new ArgumentException($"Frames must be row-major frames × {d}; got {frames.Length} values.", nameof(frames));
        }

        int count = frames.Length / d;
        var values = new float[count];
        for (int f = 0; f < count; f++)
        {
            double dot = 0;
            for (int j = 0; j < d; j++)
            {
                dot += (frames[(f * d) + j] - _origin[j]) * (double)_direction[j];
            }

            values[f] = (float)(dot / _squaredNorm);
        }

        return new LatentCodes(count, 1, values, new int[count]);
    }

    /// <inheritdoc />
    public float[] Decode(LatentCodes codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        int d = _direction.Length;
        var frames = new float[(long)codes.FrameCount * d];
        for (int f = 0; f < codes.FrameCount; f++)
        {
            double z = 0;
            for (int s = 0; s < codes.Width; s++)
            {
                int i = (f * codes.Width) + s;
                if (codes.Indices[i] != 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(codes), codes.Indices[i], "A single-direction autoencoder has only latent 0.");
                }

                z += codes.Values[i];
            }

            for (int j = 0; j < d; j++)
            {
                frames[(f * d) + j] = (float)(_origin[j] + (z * _direction[j]));
            }
        }

        return frames;
    }

    private static double[] Mean(ReadOnlySpan<float> frames, int width, string name)
    {
        if (width <= 0 || frames.Length == 0 || frames.Length % width != 0)
        {
            throw new ArgumentException($"'{name}' must hold at least one frame of width {width}; got {frames.Length} values.", name);
        }

        var mean = new double[width];
        int count = frames.Length / width;
        for (int i = 0; i < frames.Length; i++)
        {
            mean[i % width] += frames[i];
        }

        for (int j = 0; j < width; j++)
        {
            mean[j] /= count;
        }

        return mean;
    }
}
