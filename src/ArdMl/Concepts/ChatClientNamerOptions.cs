namespace ArdMl.Concepts;

/// <summary>Options of <see cref="ChatClientConceptNamer"/>.</summary>
public sealed class ChatClientNamerOptions
{
    /// <summary>How many times the model is asked before the concept keeps its offline name. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Longest accepted name, in words. Default 5.</summary>
    public int MaxWords { get; init; } = 5;

    /// <summary>Longest accepted name, in characters. Default 48.</summary>
    public int MaxCharacters { get; init; } = 48;

    /// <summary>At most this many captions are put into the prompt (in H order). Default 20.</summary>
    public int MaxCaptions { get; init; } = 20;

    /// <summary>Time limit of one request; a request that runs over counts as a failed attempt. Default 60 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The model id to ask for (null: the client's default).</summary>
    public string? ModelId { get; init; }

    /// <summary>Sampling temperature sent with each request. Default 0 (deterministic where the server allows).</summary>
    public float Temperature { get; init; }
}
