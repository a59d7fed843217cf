using System.Security.Cryptography;

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
    public int ClipCount => WrittenClips.Count;

    /// <summary>Tokens written.</summary>
    public abstract long TokenCount { get; }

    /// <summary>The clips written, those found when resuming included.</summary>
    private protected HashSet<string> WrittenClips { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <see cref="Complete"/> has run; nothing more may be written.</summary>
    private protected bool Completed { get; set; }

    /// <summary>The header of the folder (d and dtype of every clip).</summary>
    private protected abstract ActivationShardManifest Header { get; }

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
    public bool Contains(string clipId) => WrittenClips.Contains(clipId);

    /// <summary>Appends one clip (tokens × d values, row-major).</summary>
    /// <param name="clipId">Clip id, unique in the folder.</param>
    /// <param name="data">tokens × d values.</param>
    /// <param name="tokens">Number of tokens (may be zero).</param>
    /// <param name="metadata">Optional string metadata stored with the clip.</param>
    /// <exception cref="ArgumentException">The values are not tokens × d, or the clip is already written.</exception>
    public void Write(string clipId, ReadOnlySpan<float> data, int tokens, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ObjectDisposedException.ThrowIf(Completed, this);
        ArgumentException.ThrowIfNullOrEmpty(clipId);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if ((long)tokens * Header.Width != data.Length)
        {
            throw new ArgumentException($"Clip '{clipId}': {data.Length} values are not {tokens} tokens × d {Header.Width}.", nameof(data));
        }

        if (!WrittenClips.Add(clipId))
        {
            throw new ArgumentException($"Clip '{clipId}' is already in {Folder}.", nameof(clipId));
        }

        var bytes = Encode(data, Header.DataType);
        Append(clipId, bytes, tokens, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            metadata is null ? null : new Dictionary<string, string>(metadata, StringComparer.Ordinal));
    }

    /// <summary>Stores one admitted clip: its encoded values, token count, their SHA-256 and its metadata (a copy).</summary>
    private protected abstract void Append(string clipId, byte[] bytes, int tokens, string sha256, Dictionary<string, string>? metadata);

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
