namespace ArdMl.Activations;

/// <summary>A clip to extract: an id and mono samples at the description's sample rate.</summary>
/// <param name="Id">Clip id (reported in errors and shard indexes).</param>
/// <param name="Samples">Mono samples in [-1, 1] at <see cref="ModelDescription.SampleRate"/>.</param>
public readonly record struct AudioClip(string Id, ReadOnlyMemory<float> Samples);
