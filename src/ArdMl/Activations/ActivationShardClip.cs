namespace ArdMl.Activations;

/// <summary>One clip read back from activation shards.</summary>
public sealed class ActivationShardClip
{
    internal ActivationShardClip(string clipId, float[] data, int tokens, int width, IReadOnlyDictionary<string, string> metadata)
    {
        ClipId = clipId;
        Data = data;
        Tokens = tokens;
        Width = width;
        Metadata = metadata;
    }

    /// <summary>Clip id.</summary>
    public string ClipId { get; }

    /// <summary>tokens × d values, row-major (float16 shards are widened to float).</summary>
    public float[] Data { get; }

    /// <summary>Number of tokens (frames).</summary>
    public int Tokens { get; }

    /// <summary>Features per token (d).</summary>
    public int Width { get; }

    /// <summary>Metadata stored with the clip.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
