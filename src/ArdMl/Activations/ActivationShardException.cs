namespace ArdMl.Activations;

/// <summary>An activation shard folder is corrupt, incomplete or inconsistent; the message names the file and the problem.</summary>
public sealed class ActivationShardException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ActivationShardException(string file, string problem, Exception? inner = null)
        : base($"Activation shards '{file}': {problem}", inner)
    {
        FileName = file;
    }

    /// <summary>The manifest, index or shard file at fault.</summary>
    public string FileName { get; }
}
