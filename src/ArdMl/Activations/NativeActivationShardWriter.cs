using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ArdMl.Activations;

/// <summary>
/// Writes native activation shards (<c>models/SHARDS.md</c>): clips' tokens × d values appended to
/// <c>shard-NNNNN.bin</c> files, one <c>index.jsonl</c> line per clip with offset, token count and SHA-256, and
/// <c>manifest.json</c>. Opening an existing folder resumes it: the header must match, a torn last index line and
/// shard bytes beyond the last indexed clip (an interrupted write) are cut off.
/// </summary>
internal sealed class NativeActivationShardWriter : ActivationShardWriter
{
    private static readonly JsonSerializerOptions IndexLineOptions = new(ActivationShardManifest.JsonOptions) { WriteIndented = false };

    private readonly string _folder;
    private readonly ActivationShardManifest _header;
    private readonly long _maxShardBytes;
    private readonly FileStream _index;
    private FileStream? _shard;
    private int _shardNumber;
    private long _tokens;

    private NativeActivationShardWriter(string folder, ActivationShardManifest header, long maxShardBytes)
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
            Producer = header.Producer ?? DefaultProducer,
            Metadata = header.Metadata,
            Complete = false,
        };
        _header.Write(folder);
        _index = new FileStream(indexPath, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    /// <inheritdoc/>
    public override string Folder => _folder;

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Native;

    /// <inheritdoc/>
    public override long TokenCount => _tokens;

    internal static NativeActivationShardWriter Create(string folder, ActivationShardManifest header, long maxShardBytes) => new(folder, header, maxShardBytes);

    /// <inheritdoc/>
    private protected override ActivationShardManifest Header => _header;

    /// <inheritdoc/>
    private protected override void Append(string clipId, byte[] bytes, int tokens, string sha256, Dictionary<string, string>? metadata)
    {
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
            Sha256 = sha256,
            Metadata = metadata,
        };
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, IndexLineOptions) + "\n");
        _index.Write(line);
        _index.Flush(flushToDisk: false);
        _tokens += tokens;
    }

    /// <inheritdoc/>
    public override void Complete()
    {
        if (Completed)
        {
            return;
        }

        Completed = true;
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
            ClipCount = WrittenClips.Count,
            TokenCount = _tokens,
            IndexSha256 = hash,
        }.Write(_folder);
    }

    private static string ShardName(int number) => string.Create(CultureInfo.InvariantCulture, $"shard-{number:D5}.bin");

    private FileStream ShardFor(int bytes)
    {
        _shard ??= OpenShard();
        if (_shard.Position > 0 && _shard.Position + bytes > _maxShardBytes)
        {
            _shard.Flush(flushToDisk: true);
            _shard.Dispose();
            _shardNumber++;
            _shard = OpenShard();
        }

        return _shard;
    }

    private FileStream OpenShard()
    {
        var stream = new FileStream(Path.Combine(_folder, ShardName(_shardNumber)), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        stream.Seek(0, SeekOrigin.End);
        return stream;
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
            if (!WrittenClips.Add(entry.Clip))
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
