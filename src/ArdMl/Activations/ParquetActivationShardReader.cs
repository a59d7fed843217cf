using System.Runtime.InteropServices;
using Parquet;
using Parquet.Schema;

namespace ArdMl.Activations;

/// <summary>
/// Reads Parquet activation files ArdMl wrote (<see cref="ParquetLayout"/>): every file's footer metadata must hold
/// the same header, clip ids are unique across files, and each clip's values are checked against its SHA-256 as they
/// are read. One row group's values are in memory at a time.
/// </summary>
internal sealed class ParquetActivationShardReader : ActivationShardReader
{
    private readonly IReadOnlyList<(string File, ActivationTableMetadata Metadata)> _files;

    private ParquetActivationShardReader(IReadOnlyList<(string File, ActivationTableMetadata Metadata)> files, ActivationShardManifest manifest)
    {
        _files = files;
        Manifest = manifest;
    }

    /// <inheritdoc/>
    public override ActivationShardManifest Manifest { get; }

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Parquet;

    /// <inheritdoc/>
    public override long ClipCount => Manifest.ClipCount ?? 0;

    /// <inheritdoc/>
    public override long TokenCount => Manifest.TokenCount ?? 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Parts => [.. _files.Select(f => f.File)];

    internal static bool Recognizes(string folder) => DataFiles(folder).Count > 0;

    /// <summary>The folder's .parquet files in name order.</summary>
    internal static List<string> DataFiles(string folder) => [.. Directory.GetFiles(folder, "*.parquet").Order(StringComparer.Ordinal)];

    /// <summary>The header and clip index in a file's footer.</summary>
    internal static ActivationTableMetadata ReadTableMetadata(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        var reader = OpenReader(file, stream);
        try
        {
            return Metadata(file, reader);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    internal static ParquetActivationShardReader OpenFolder(string folder)
    {
        var files = new List<(string, ActivationTableMetadata)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ActivationShardManifest? first = null;
        long clips = 0, tokens = 0;
        foreach (var file in DataFiles(folder))
        {
            var metadata = ReadTableMetadata(file);
            var header = metadata.Manifest;
            first ??= header;
            if (header.Width != first.Width || header.DataType != first.DataType || header.Model != first.Model || header.Tap != first.Tap)
            {
                throw new ActivationShardException(file, $"holds {header.Model} / {header.Tap} (d {header.Width}, {header.DataType}) but {files[0].Item1} holds {first.Model} / {first.Tap} (d {first.Width}, {first.DataType}).");
            }

            foreach (var clip in metadata.Clips.Where(c => !seen.Add(c.Clip)))
            {
                throw new ActivationShardException(file, $"clip '{clip.Clip}' appears twice in the folder.");
            }

            clips += metadata.Clips.Count;
            tokens += metadata.Clips.Sum(c => (long)c.Tokens);
            files.Add((file, metadata));
        }

        var manifest = new ActivationShardManifest
        {
            Width = first!.Width,
            DataType = first.DataType,
            Model = first.Model,
            ModelSha256 = first.ModelSha256,
            Tap = first.Tap,
            SampleRate = first.SampleRate,
            Producer = first.Producer,
            Metadata = first.Metadata,
            Complete = true,
            ClipCount = clips,
            TokenCount = tokens,
        };
        return new ParquetActivationShardReader(files, manifest);
    }

    /// <inheritdoc/>
    public override IEnumerable<ActivationShardClip> ReadClips()
    {
        foreach (var (file, metadata) in _files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var reader = OpenReader(file, stream);
            try
            {
                var (clipField, valueField) = Fields(file, reader.Schema);
                var assembler = new TableClipAssembler(file, Manifest, metadata.Clips);
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    var done = ReadRowGroupAsync(file, reader, g, clipField, valueField, assembler).GetAwaiter().GetResult();
                    foreach (var clip in done)
                    {
                        yield return clip;
                    }
                }

                foreach (var clip in assembler.End())
                {
                    yield return clip;
                }
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    private async Task<List<ActivationShardClip>> ReadRowGroupAsync(string file, ParquetReader reader, int group, DataField clipField, DataField valueField, TableClipAssembler assembler)
    {
        using var rowGroup = reader.OpenRowGroupReader(group);
        var rows = checked((int)rowGroup.RowCount);
        var ids = new string?[rows];
        await rowGroup.ReadAsync(clipField, ids.AsMemory(), null).ConfigureAwait(false);
        var count = rowGroup.GetMetadata(valueField)?.MetaData?.NumValues ?? -1;
        if (count != (long)rows * Width)
        {
            throw new ActivationShardException(file, $"row group {group} has {count} activation values for {rows} rows; expected d {Width} per row.");
        }

        var floats = new float[count];
        var definition = new int[count];
        var repetition = new int[count];
        await rowGroup.ReadRawAsync<float>(valueField, floats.AsMemory(), definition.AsMemory(), repetition.AsMemory()).ConfigureAwait(false);
        if (definition.AsSpan().ContainsAnyExcept(valueField.MaxDefinitionLevel))
        {
            throw new ActivationShardException(file, $"row group {group} has null activation lists or values; every frame must hold d {Width} values.");
        }

        ReadOnlySpan<byte> bytes;
        if (Manifest.DataType == ActivationShardDataType.Float16)
        {
            var halves = new Half[floats.Length];
            for (var i = 0; i < halves.Length; i++)
            {
                halves[i] = (Half)floats[i];
            }

            bytes = MemoryMarshal.AsBytes(halves.AsSpan());
        }
        else
        {
            bytes = MemoryMarshal.AsBytes(floats.AsSpan());
        }

        return assembler.Feed(rows, bytes, row => ids[row]);
    }

    private static (DataField Clip, DataField Values) Fields(string file, ParquetSchema schema)
    {
        var clip = schema.Fields.FirstOrDefault(f => f.Name == ArrowDatasetLayout.ClipColumn) as DataField;
        var list = schema.Fields.FirstOrDefault(f => f.Name == ArrowDatasetLayout.ActivationsColumn) as ListField;
        if (clip is null || (clip.ClrType != typeof(string) && clip.ClrType != typeof(ReadOnlyMemory<char>)))
        {
            throw new ActivationShardException(file, $"has no string column '{ArrowDatasetLayout.ClipColumn}'; columns: {string.Join(", ", schema.Fields.Select(f => $"{f.Name} ({Describe(f)})"))}.");
        }

        if (list?.Item is not DataField item || item.ClrType != typeof(float))
        {
            throw new ActivationShardException(file, $"has no column '{ArrowDatasetLayout.ActivationsColumn}' of type list<float>; columns: {string.Join(", ", schema.Fields.Select(f => $"{f.Name} ({Describe(f)})"))}.");
        }

        return (clip, item);
    }

    private static string Describe(Field field) => field switch
    {
        ListField list => $"list<{Describe(list.Item)}>",
        DataField data => data.ClrType.Name,
        _ => field.SchemaType.ToString(),
    };

    private static ActivationTableMetadata Metadata(string file, ParquetReader reader) =>
        reader.CustomMetadata.TryGetValue(ActivationTableMetadata.Key, out var json)
            ? ActivationTableMetadata.Parse(file, json)
            : throw new ActivationShardException(file, $"has no '{ActivationTableMetadata.Key}' key-value metadata: ArdMl reads Parquet activations it wrote (ard extract --format parquet), which record model, tap, d and the clip index.");

    private static ParquetReader OpenReader(string file, Stream stream)
    {
        try
        {
            return ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not ActivationShardException)
        {
            // Parquet.Net raises assorted exceptions on bytes that are not Parquet; name the file instead.
            throw new ActivationShardException(file, $"is not a readable Parquet file ({e.GetType().Name}: {e.Message}).", e);
        }
    }
}
