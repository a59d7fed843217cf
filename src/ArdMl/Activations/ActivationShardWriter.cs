namespace ArdMl.Activations;

/// <summary>
/// Writes activation shards in one <see cref="ActivationShardFormat"/>: per clip, tokens × d values with their
/// SHA-256, under a header of model, tap, d and dtype (models/SHARDS.md). Opening an existing folder resumes it: the
/// header must match and <see cref="Contains"/> tells which clips are already written.
/// </summary>
public abstract class ActivationShardWriter : IDisposable
{
    /// <summary>Default size of a native shard file before a new one is started (1 GiB).</summary>
    public const long DefaultMaxShardBytes = 1L << 30;

    /// <summary>Default size of an Arrow or Parquet data file (256 MiB): the writer holds one file's values in memory.</summary>
    public const long DefaultMaxTableFileBytes = 256L << 20;

    private protected ActivationShardWriter()
    {
    }

    /// <summary>The folder written.</summary>
    public abstract string Folder { get; }

    /// <summary>The layout written.</summary>
    public abstract ActivationShardFormat Format { get; }

    /// <summary>Clips written (including those found when resuming).</summary>
    public abstract int ClipCount { get; }

    /// <summary>Tokens written.</summary>
    public abstract long TokenCount { get; }

    private protected static string DefaultProducer => $"ArdMl {typeof(ActivationShardWriter).Assembly.GetName().Version}";

    /// <summary>Opens (creating or resuming) a native shard folder.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="header">Width, data type, model and tap (other fields optional).</param>
    /// <param name="maxShardBytes">Size at which a new shard file is started.</param>
    public static ActivationShardWriter Open(string folder, ActivationShardManifest header, long maxShardBytes = DefaultMaxShardBytes) =>
        Open(folder, header, ActivationShardFormat.Native, maxShardBytes);

    /// <summary>Opens (creating or resuming) a shard folder in the given format.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="header">Width, data type, model and tap (other fields optional).</param>
    /// <param name="format">The layout to write.</param>
    /// <param name="maxFileBytes">Size at which a new shard or data file is started (default: 1 GiB native, 256 MiB tables).</param>
    public static ActivationShardWriter Open(string folder, ActivationShardManifest header, ActivationShardFormat format, long? maxFileBytes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Width, 1);
        var limit = maxFileBytes ?? (format == ActivationShardFormat.Native ? DefaultMaxShardBytes : DefaultMaxTableFileBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var root = Path.GetFullPath(folder);
        if (ActivationShardReader.DetectFormat(root) is { } existing && existing != format)
        {
            throw new ActivationShardException(root, $"the folder holds {existing} activations; cannot resume it as {format}.");
        }

        return format switch
        {
            ActivationShardFormat.Native => NativeActivationShardWriter.Create(root, header, limit),
            ActivationShardFormat.Arrow => new ArrowActivationShardWriter(root, header, limit),
            ActivationShardFormat.Parquet => new ParquetActivationShardWriter(root, header, limit),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown activation shard format."),
        };
    }

    /// <summary>Whether a clip is already written.</summary>
    /// <param name="clipId">Clip id.</param>
    public abstract bool Contains(string clipId);

    /// <summary>Appends one clip (tokens × d values, row-major).</summary>
    /// <param name="clipId">Clip id, unique in the folder.</param>
    /// <param name="data">tokens × d values.</param>
    /// <param name="tokens">Number of tokens (may be zero).</param>
    /// <param name="metadata">Optional string metadata stored with the clip.</param>
    public abstract void Write(string clipId, ReadOnlySpan<float> data, int tokens, IReadOnlyDictionary<string, string>? metadata = null);

    /// <summary>Flushes everything and writes the completed header (checksums, clip and token counts).</summary>
    public abstract void Complete();

    /// <summary>Completes the folder (see <see cref="Complete"/>).</summary>
    public void Dispose()
    {
        Complete();
        GC.SuppressFinalize(this);
    }

    internal static byte[] Encode(ReadOnlySpan<float> data, ActivationShardDataType type)
    {
        if (type == ActivationShardDataType.Float32)
        {
            var bytes = new byte[data.Length * 4];
            for (var i = 0; i < data.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
            }

            return bytes;
        }

        var halves = new byte[data.Length * 2];
        for (var i = 0; i < data.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(halves.AsSpan(i * 2), (Half)data[i]);
        }

        return halves;
    }
}
