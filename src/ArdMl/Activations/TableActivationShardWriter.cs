
namespace ArdMl.Activations;

/// <summary>
/// The part shared by the Arrow and Parquet writers: clips are held in memory until a data file's worth
/// (<c>maxFileBytes</c>) is reached, then written as one file (to a temporary name, renamed once complete), so a
/// crash leaves only whole files behind. Opening a folder again resumes it from the clips its files list.
/// </summary>
internal abstract class TableActivationShardWriter : ActivationShardWriter
{
    private readonly string _folder;
    private readonly long _maxFileBytes;
    private readonly List<(ActivationTableClip Clip, byte[] Values)> _pending = [];
    private long _pendingBytes;
    private long _tokens;

    private protected TableActivationShardWriter(string folder, ActivationShardManifest header, long maxFileBytes)
    {
        _folder = folder;
        _maxFileBytes = maxFileBytes;
        Header = new ActivationShardManifest
        {
            Width = header.Width,
            DataType = header.DataType,
            Model = header.Model,
            ModelSha256 = header.ModelSha256,
            Tap = header.Tap,
            SampleRate = header.SampleRate,
            Producer = header.Producer ?? DefaultProducer,
            Metadata = header.Metadata,
        };
        Directory.CreateDirectory(folder);
        foreach (var partial in Directory.GetFiles(folder, "*.tmp"))
        {
            File.Delete(partial); // a file interrupted while being written
        }

        Files = [];
        foreach (var (file, metadata) in ReadExistingFiles())
        {
            var existing = metadata.Manifest;
            if (existing.Width != header.Width || existing.DataType != header.DataType || existing.Model != header.Model || existing.Tap != header.Tap)
            {
                throw new ActivationShardException(
                    file,
                    $"the folder holds {existing.Model} / {existing.Tap} (d {existing.Width}, {existing.DataType}); cannot resume it with {header.Model} / {header.Tap} (d {header.Width}, {header.DataType}).");
            }

            foreach (var clip in metadata.Clips)
            {
                WrittenClips.Add(clip.Clip);
                _tokens += clip.Tokens;
            }

            Files.Add(new WrittenFile(file, metadata.Clips.Count, metadata.Clips.Sum(c => (long)c.Tokens)));
        }
    }

    /// <inheritdoc/>
    public override string Folder => _folder;

    /// <inheritdoc/>
    public override long TokenCount => _tokens;

    /// <summary>The header written into every file.</summary>
    private protected override ActivationShardManifest Header { get; }

    /// <summary>The complete data files, in order.</summary>
    private protected List<WrittenFile> Files { get; }

    /// <inheritdoc/>
    private protected override void Append(string clipId, byte[] bytes, int tokens, string sha256, Dictionary<string, string>? metadata)
    {
        if (_pending.Count > 0 && _pendingBytes + bytes.Length > _maxFileBytes)
        {
            FlushFile();
        }

        _pending.Add((new ActivationTableClip
        {
            Clip = clipId,
            Tokens = tokens,
            Sha256 = sha256,
            Metadata = metadata,
        }, bytes));
        _pendingBytes += bytes.Length;
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
        if (_pending.Count > 0 || Files.Count == 0)
        {
            FlushFile();
        }

        Finish();
    }

    /// <summary>The data files already in the folder with their metadata, in order.</summary>
    private protected abstract IEnumerable<(string File, ActivationTableMetadata Metadata)> ReadExistingFiles();

    /// <summary>The name of data file number <paramref name="number"/> while the folder is being written.</summary>
    private protected abstract string FileName(int number);

    /// <summary>Writes one data file holding <paramref name="clips"/> (values encoded at the header's dtype).</summary>
    private protected abstract void WriteFile(string path, ActivationTableMetadata metadata, IReadOnlyList<(ActivationTableClip Clip, byte[] Values)> clips);

    /// <summary>Writes what the format needs once all files are written (names, folder-level metadata).</summary>
    private protected virtual void Finish()
    {
    }

    private void FlushFile()
    {
        var path = Path.Combine(_folder, FileName(Files.Count));
        var temporary = path + ".tmp";
        var metadata = new ActivationTableMetadata { Manifest = Header, Clips = [.. _pending.Select(p => p.Clip)] };
        WriteFile(temporary, metadata, _pending);
        File.Move(temporary, path, overwrite: true);
        Files.Add(new WrittenFile(path, _pending.Count, _pending.Sum(p => (long)p.Clip.Tokens)));
        _pending.Clear();
        _pendingBytes = 0;
    }

    /// <summary>A complete data file of the folder.</summary>
    private protected sealed record WrittenFile(string Path, int Clips, long Tokens);
}
