using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ArdMl.Activations;

/// <summary>
/// Writes activation shards (<c>models/SHARDS.md</c>): clips' tokens × d values appended to <c>shard-NNNNN.bin</c>
/// files, one <c>index.jsonl</c> line per clip with offset, token count and SHA-256, and <c>manifest.json</c>.
/// Opening an existing folder resumes it: the header must match, a torn last index line and shard bytes beyond the
/// last indexed clip (an interrupted write) are cut off, and <see cref="Contains"/> tells which clips are done.
/// </summary>
public sealed class ActivationShardWriter : IDisposable
{
    /// <summary>Default shard size limit before a new shard file is started (1 GiB).</summary>
    public const long DefaultMaxShardBytes = 1L << 30;

    private static readonly JsonSerializerOptions IndexLineOptions = new(ActivationShardManifest.JsonOptions) { WriteIndented = false };

    private readonly string _folder;
    private readonly ActivationShardManifest _header;
    private readonly long _maxShardBytes;
    private readonly HashSet<string> _clips = new(StringComparer.Ordinal);
    private readonly FileStream _index;
    private FileStream? _shard;
    private int _shardNumber;
    private long _tokens;
    private bool _completed;

    private ActivationShardWriter(string folder, ActivationShardManifest header, long maxShardBytes)
    {
        _folder = folder;
        _maxShardBytes = maxShardBytes;
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(folder, ActivationShardManifest.FileName);
        var indexPath = Path.Combine(folder, ActivationShardManifest.IndexFileName);
        if (File.Exists(manifestPath))
        {
            var existing = ActivationShardManifest.Read(folder);
            if (existing.Width != header.Width || existing.DataType != header.DataType || existing.Model != header.Model || existing.Tap != header.Tap)
            {
                throw new ActivationShardException(
                    manifestPath,
                    $"the folder holds {existing.Model} / {existing.Tap} (d {existing.Width}, {existing.DataType}); cannot resume it with {header.Model} / {header.Tap} (d {header.Width}, {header.DataType}).");
            }

            Resume(indexPath, header);
        }
        else if (File.Exists(indexPath))
        {
            throw new ActivationShardException(indexPath, "an index exists without manifest.json; refusing to overwrite it.");
        }

        _header = new ActivationShardManifest
        {
            Width = header.Width,
            DataType = header.DataType,
            Model = header.Model,
            ModelSha256 = header.ModelSha256,
            Tap = header.Tap,
            SampleRate = header.SampleRate,
            Producer = header.Producer ?? $"ArdMl {typeof(ActivationShardWriter).Assembly.GetName().Version}",
            Metadata = header.Metadata,
            Complete = false,
        };
        _header.Write(folder);
        _index = new FileStream(indexPath, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    /// <summary>The folder written.</summary>
    public string Folder => _folder;

    /// <summary>Clips in the index (including those found when resuming).</summary>
    public int ClipCount => _clips.Count;

    /// <summary>Tokens in the index.</summary>
    public long TokenCount => _tokens;

    /// <summary>Opens (creating or resuming) a shard folder.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="header">Width, data type, model and tap (other fields optional).</param>
    /// <param name="maxShardBytes">Size at which a new shard file is started.</param>
    public static ActivationShardWriter Open(string folder, ActivationShardManifest header, long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        return new ActivationShardWriter(Path.GetFullPath(folder), header, maxShardBytes);
    }

    /// <summary>Whether a clip is already in the index.</summary>
    public bool Contains(string clipId) => _clips.Contains(clipId);

    /// <summary>Appends one clip (tokens × d values, row-major) and its index line.</summary>
    /// <param name="clipId">Clip id, unique in the folder.</param>
    /// <param name="data">tokens × d values.</param>
    /// <param name="tokens">Number of tokens (may be zero).</param>
    /// <param name="metadata">Optional string metadata stored in the index line.</param>
    public void Write(string clipId, ReadOnlySpan<float> data, int tokens, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentException.ThrowIfNullOrEmpty(clipId);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if ((long)tokens * _header.Width != data.Length)
        {
            throw new ArgumentException($"Clip '{clipId}': {data.Length} values are not {tokens} tokens × d {_header.Width}.", nameof(data));
        }

        if (!_clips.Add(clipId))
        {
            throw new ArgumentException($"Clip '{clipId}' is already in {_folder}.", nameof(clipId));
        }

        var bytes = Encode(data, _header.DataType);
        var shard = ShardFor(bytes.Length);
        var offset = shard.Position;
        shard.Write(bytes);
        shard.Flush(flushToDisk: false);
        var entry = new ActivationShardIndexEntry
        {
            Clip = clipId,
            Shard = Path.GetFileName(shard.Name),
            Offset = offset,
            Tokens = tokens,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Metadata = metadata is null ? null : new Dictionary<string, string>(metadata, StringComparer.Ordinal),
        };
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, IndexLineOptions) + "\n");
        _index.Write(line);
        _index.Flush(flushToDisk: false);
        _tokens += tokens;
    }

    /// <summary>Flushes everything and writes the completed manifest (index checksum, clip and token counts).</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _shard?.Flush(flushToDisk: true);
        _shard?.Dispose();
        _index.Flush(flushToDisk: true);
        _index.Dispose();
        string hash;
        using (var stream = File.OpenRead(Path.Combine(_folder, ActivationShardManifest.IndexFileName)))
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        new ActivationShardManifest
        {
            Width = _header.Width,
            DataType = _header.DataType,
            Model = _header.Model,
            ModelSha256 = _header.ModelSha256,
            Tap = _header.Tap,
            SampleRate = _header.SampleRate,
            Producer = _header.Producer,
            Metadata = _header.Metadata,
            Complete = true,
            ClipCount = _clips.Count,
            TokenCount = _tokens,
            IndexSha256 = hash,
        }.Write(_folder);
    }

    /// <summary>Completes the folder (see <see cref="Complete"/>).</summary>
    public void Dispose() => Complete();

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

    private static string ShardName(int number) => string.Create(CultureInfo.InvariantCulture, $"shard-{number:D5}.bin");

    private FileStream ShardFor(int bytes)
    {
        if (_shard is not null && _shard.Position > 0 && _shard.Position + bytes > _maxShardBytes)
        {
            _shard.Flush(flushToDisk: true);
            _shard.Dispose();
            _shard = null;
            _shardNumber++;
        }

        if (_shard is null)
        {
            _shard = new FileStream(Path.Combine(_folder, ShardName(_shardNumber)), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            _shard.Seek(0, SeekOrigin.End);
        }

        return _shard;
    }

    private void Resume(string indexPath, ActivationShardManifest header)
    {
        if (!File.Exists(indexPath))
        {
            return;
        }

        var content = File.ReadAllBytes(indexPath);
        var validLength = 0;
        var ends = new Dictionary<string, long>(StringComparer.Ordinal);
        var start = 0;
        var lineNumber = 0;
        while (start < content.Length)
        {
            var newline = Array.IndexOf(content, (byte)'\n', start);
            if (newline < 0)
            {
                break; // a torn last line from an interrupted write: dropped below
            }

            lineNumber++;
            var entry = ActivationShardReader.ParseLine(indexPath, lineNumber, Encoding.UTF8.GetString(content, start, newline - start));
            if (!_clips.Add(entry.Clip))
            {
                throw new ActivationShardException(indexPath, $"line {lineNumber}: clip '{entry.Clip}' appears twice.");
            }

            _tokens += entry.Tokens;
            var end = entry.Offset + ((long)entry.Tokens * header.Width * header.BytesPerValue);
            ends[entry.Shard] = Math.Max(ends.GetValueOrDefault(entry.Shard), end);
            validLength = newline + 1;
            start = newline + 1;
        }

        if (validLength < content.Length)
        {
            using var truncate = new FileStream(indexPath, FileMode.Open, FileAccess.Write);
            truncate.SetLength(validLength);
        }

        foreach (var file in Directory.GetFiles(_folder, "shard-*.bin").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var keep = ends.GetValueOrDefault(name);
            if (new FileInfo(file).Length > keep)
            {
                using var truncate = new FileStream(file, FileMode.Open, FileAccess.Write);
                truncate.SetLength(keep);
            }
        }

        var numbers = Directory.GetFiles(_folder, "shard-*.bin")
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["shard-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n >= 0)
            .ToList();
        _shardNumber = numbers.Count == 0 ? 0 : numbers.Max();
    }
}
