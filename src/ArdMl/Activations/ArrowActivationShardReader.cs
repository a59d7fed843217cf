using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace ArdMl.Activations;

/// <summary>
/// Reads a Hugging Face dataset saved to disk (<see cref="ArrowDatasetLayout"/>). Folders ArdMl wrote are verified
/// as native ones are: the header in dataset_info.json, the data files state.json lists, each file's clip index and
/// every clip's SHA-256. Other datasets are read by shape (SAELens's cached activations among them): the activation
/// column is the one of float32 or float16 vectors, either one frame per row (a fixed-size list, d its length; a
/// record batch becomes a clip) or one sequence per row (<c>Array2D(shape=(context, d))</c>, a list of lists; a row
/// becomes a clip), and the tap is the column's name (SAELens's hook name).
/// </summary>
internal sealed class ArrowActivationShardReader : ActivationShardReader
{
    private readonly string _folder;
    private readonly IReadOnlyList<string> _files;
    private readonly ActivationShardManifest _manifest;
    private readonly string _column;
    private readonly bool _foreign;

    private ArrowActivationShardReader(string folder, IReadOnlyList<string> files, ActivationShardManifest manifest, string column, bool foreign, long clips, long tokens)
    {
        _folder = folder;
        _files = files;
        _manifest = manifest;
        _column = column;
        _foreign = foreign;
        ClipCount = clips;
        TokenCount = tokens;
    }

    /// <inheritdoc/>
    public override ActivationShardManifest Manifest => _manifest;

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Arrow;

    /// <inheritdoc/>
    public override long ClipCount { get; }

    /// <inheritdoc/>
    public override long TokenCount { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Parts => [_folder];

    internal static bool Recognizes(string folder) => DataFiles(folder).Count > 0;

    /// <summary>The data-*.arrow files of a folder in number order.</summary>
    internal static List<string> DataFiles(string folder) =>
        [.. Directory.GetFiles(folder, "data-*.arrow").Where(f => ArrowDatasetLayout.DataFileNumber(f) >= 0)
            .OrderBy(ArrowDatasetLayout.DataFileNumber).ThenBy(f => f, StringComparer.Ordinal)];

    /// <summary>The ArdMl clip index in a data file's schema metadata, or null for a file ArdMl did not write.</summary>
    internal static ActivationTableMetadata? ReadTableMetadata(string file)
    {
        using var stream = OpenStream(file);
        using var reader = new ArrowStreamReader(stream);
        var schema = ReadSchema(file, reader);
        return schema.Metadata is { } metadata && metadata.TryGetValue(ActivationTableMetadata.Key, out var json) ? ActivationTableMetadata.Parse(file, json) : null;
    }

    internal static ArrowActivationShardReader OpenFolder(string folder, bool allowIncomplete)
    {
        var statePath = Path.Combine(folder, ArrowDatasetLayout.StateFileName);
        List<string> files;
        if (File.Exists(statePath))
        {
            files = StateFiles(statePath, folder);
        }
        else if (allowIncomplete)
        {
            files = DataFiles(folder);
        }
        else
        {
            throw new ActivationShardException(statePath, "state.json is missing: the writer did not complete this dataset (or it is not a dataset saved with save_to_disk); resume the extraction or open with allowIncomplete.");
        }

        var first = ReadTableMetadata(files[0]);
        return first is null ? OpenForeign(folder, files) : OpenOwn(folder, files, allowIncomplete && !File.Exists(statePath));
    }

    /// <inheritdoc/>
    public override IEnumerable<ActivationShardClip> ReadClips()
    {
        foreach (var file in _files)
        {
            var clips = _foreign ? ReadForeignFile(file) : ReadOwnFile(file);
            foreach (var clip in clips)
            {
                yield return clip;
            }
        }
    }

    private static List<string> StateFiles(string statePath, string folder)
    {
        JsonNode? state;
        try
        {
            state = JsonNode.Parse(File.ReadAllText(statePath));
        }
        catch (JsonException e)
        {
            throw new ActivationShardException(statePath, $"is not valid JSON ({e.Message}).", e);
        }

        var names = (state?["_data_files"] as JsonArray)?.Select(f => f?["filename"]?.GetValue<string>()).ToList();
        if (names is null || names.Count == 0 || names.Any(n => string.IsNullOrEmpty(n) || n.Contains('/') || n.Contains('\\') || n.Contains("..")))
        {
            throw new ActivationShardException(statePath, "expected \"_data_files\": [{\"filename\": \"data-00000-of-00001.arrow\"}, ...] naming files in the same folder.");
        }

        var files = names.Select(n => Path.Combine(folder, n!)).ToList();
        foreach (var file in files.Where(f => !File.Exists(f)))
        {
            throw new ActivationShardException(file, "is listed in state.json but missing.");
        }

        return files;
    }

    private static ArrowActivationShardReader OpenOwn(string folder, List<string> files, bool incomplete)
    {
        var infoPath = Path.Combine(folder, ArrowDatasetLayout.InfoFileName);
        ArrowDatasetInfo? info = null;
        if (!incomplete)
        {
            if (!File.Exists(infoPath))
            {
                throw new ActivationShardException(infoPath, "dataset_info.json is missing.");
            }

            try
            {
                var node = JsonNode.Parse(File.ReadAllText(infoPath))?[ActivationTableMetadata.Key];
                info = node?.Deserialize<ArrowDatasetInfo>(ActivationShardManifest.JsonOptions);
            }
            catch (JsonException e)
            {
                throw new ActivationShardException(infoPath, $"is not valid JSON ({e.Message}).", e);
            }

            if (info is null || info.Files.Count != files.Count)
            {
                throw new ActivationShardException(infoPath, $"expected an \"{ActivationTableMetadata.Key}\" entry listing the {files.Count} data files of state.json.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        ActivationShardManifest? manifest = null;
        long clips = 0, tokens = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var metadata = ReadTableMetadata(files[i])
                ?? throw new ActivationShardException(files[i], $"has no '{ActivationTableMetadata.Key}' schema metadata, unlike {files[0]}.");
            var header = metadata.Manifest;
            manifest ??= header;
            if (header.Width != manifest.Width || header.DataType != manifest.DataType || header.Model != manifest.Model || header.Tap != manifest.Tap)
            {
                throw new ActivationShardException(files[i], $"holds {header.Model} / {header.Tap} (d {header.Width}, {header.DataType}) but {files[0]} holds {manifest.Model} / {manifest.Tap} (d {manifest.Width}, {manifest.DataType}).");
            }

            foreach (var clip in metadata.Clips.Where(c => !seen.Add(c.Clip)))
            {
                throw new ActivationShardException(files[i], $"clip '{clip.Clip}' appears twice in the dataset.");
            }

            var fileTokens = metadata.Clips.Sum(c => (long)c.Tokens);
            if (info is not null && (info.Files[i].Clips != metadata.Clips.Count || info.Files[i].Tokens != fileTokens || info.Files[i].FileName != Path.GetFileName(files[i])))
            {
                throw new ActivationShardException(files[i], $"holds {metadata.Clips.Count} clips and {fileTokens} frames; dataset_info.json lists {info.Files[i].FileName} with {info.Files[i].Clips} and {info.Files[i].Tokens}.");
            }

            clips += metadata.Clips.Count;
            tokens += fileTokens;
        }

        return new ArrowActivationShardReader(folder, files, info?.Manifest ?? manifest!, ArrowDatasetLayout.ActivationsColumn, foreign: false, clips, tokens);
    }

    private IEnumerable<ActivationShardClip> ReadOwnFile(string file)
    {
        using var stream = OpenStream(file);
        using var reader = new ArrowStreamReader(stream);
        var schema = ReadSchema(file, reader);
        var metadata = ActivationTableMetadata.Parse(file, schema.Metadata![ActivationTableMetadata.Key]);
        var clipIndex = ColumnIndex(file, schema, ArrowDatasetLayout.ClipColumn, "a string column of clip ids");
        var valueIndex = ColumnIndex(file, schema, _column, $"fixed_size_list<{ValueTypeName(_manifest.DataType)}>[{_manifest.Width}]");
        if (schema.GetFieldByIndex(valueIndex).DataType is not FixedSizeListType { } listType || listType.ListSize != _manifest.Width
            || listType.ValueDataType.TypeId != ArrowDatasetLayout.ValueType(_manifest.DataType).TypeId)
        {
            throw new ActivationShardException(file, $"column '{_column}' is {Describe(schema.GetFieldByIndex(valueIndex).DataType)}; expected fixed_size_list<{ValueTypeName(_manifest.DataType)}>[{_manifest.Width}] (d {_manifest.Width}, {_manifest.DataType}).");
        }

        var assembler = new TableClipAssembler(file, _manifest, metadata.Clips);
        while (ReadBatch(file, reader) is { } batch)
        {
            List<ActivationShardClip> done;
            using (batch)
            {
                var ids = batch.Column(clipIndex) as StringArray
                    ?? throw new ActivationShardException(file, $"column '{ArrowDatasetLayout.ClipColumn}' is not a string column.");
                var list = (FixedSizeListArray)batch.Column(valueIndex);
                done = assembler.Feed(batch.Length, FlatBytes(file, list.Values, list.Offset * _manifest.Width, batch.Length * _manifest.Width), row => ids.GetString(row));
            }

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

    private static ArrowActivationShardReader OpenForeign(string folder, List<string> files)
    {
        string? column = null;
        ActivationShardDataType type = default;
        var width = 0;
        long clips = 0, tokens = 0;
        foreach (var file in files)
        {
            using var stream = OpenStream(file);
            using var reader = new ArrowStreamReader(stream);
            var schema = ReadSchema(file, reader);
            var (name, fileType) = FindActivationColumn(file, schema);
            if (column is not null && (name != column || fileType != type))
            {
                throw new ActivationShardException(file, $"its activation column is '{name}' ({fileType}) but {files[0]} has '{column}' ({type}).");
            }

            column = name;
            type = fileType;
            while (ReadBatch(file, reader) is { } batch)
            {
                using (batch)
                {
                    foreach (var (_, rows, d, _) in ForeignClips(file, batch, schema.GetFieldIndex(name), width))
                    {
                        width = d;
                        clips++;
                        tokens += rows;
                    }
                }
            }
        }

        if (width == 0)
        {
            throw new ActivationShardException(folder, $"column '{column}' holds no values, so d is unknown.");
        }

        var manifest = new ActivationShardManifest
        {
            Width = width,
            DataType = type,
            Model = $"unknown ({Path.GetFileName(folder)})",
            Tap = column!,
            Producer = "Hugging Face datasets",
            Complete = true,
            ClipCount = clips,
            TokenCount = tokens,
        };
        return new ArrowActivationShardReader(folder, files, manifest, column!, foreign: true, clips, tokens);
    }

    private IEnumerable<ActivationShardClip> ReadForeignFile(string file)
    {
        using var stream = OpenStream(file);
        using var reader = new ArrowStreamReader(stream);
        var schema = ReadSchema(file, reader);
        var index = schema.GetFieldIndex(_column);
        if (index < 0)
        {
            throw new ActivationShardException(file, $"has no column '{_column}' (the activation column of {_files[0]}).");
        }

        long row = 0;
        while (ReadBatch(file, reader) is { } batch)
        {
            var done = new List<ActivationShardClip>();
            using (batch)
            {
                foreach (var (offset, rows, _, bytes) in ForeignClips(file, batch, index, _manifest.Width))
                {
                    var id = $"{Path.GetFileName(file)}#{row + offset}";
                    done.Add(new ActivationShardClip(id, Decode(bytes, _manifest.DataType), rows, _manifest.Width, new Dictionary<string, string>()));
                }

                row += batch.Length;
            }

            foreach (var clip in done)
            {
                yield return clip;
            }
        }
    }

    /// <summary>The clips of one record batch of a foreign dataset: (first row, frames, d, value bytes).</summary>
    private static List<(int Row, int Frames, int Width, byte[] Bytes)> ForeignClips(string file, RecordBatch batch, int column, int expectedWidth)
    {
        var clips = new List<(int Row, int Frames, int Width, byte[] Bytes)>();
        var array = batch.Column(column);
        var name = batch.Schema.GetFieldByIndex(column).Name;
        if (array is FixedSizeListArray frames)
        {
            // One frame per row: the batch is one clip.
            var d = ((FixedSizeListType)frames.Data.DataType).ListSize;
            CheckWidth(file, name, d, expectedWidth);
            if (batch.Length > 0)
            {
                clips.Add((0, batch.Length, d, FlatBytes(file, frames.Values, frames.Offset * d, batch.Length * d).ToArray()));
            }

            return clips;
        }

        if (array is not ListArray sequences)
        {
            throw new ActivationShardException(file, $"column '{name}' is {Describe(array.Data.DataType)}; expected float vectors per frame or Array2D sequences.");
        }

        // One sequence per row (Array2D): each row is a clip of (context, d) values.
        var offsets = sequences.ValueOffsets;
        var inner = sequences.Values;
        for (var r = 0; r < batch.Length; r++)
        {
            var start = offsets[r];
            var count = offsets[r + 1] - start;
            if (inner is FixedSizeListArray fixedInner)
            {
                var d = ((FixedSizeListType)fixedInner.Data.DataType).ListSize;
                CheckWidth(file, name, d, expectedWidth);
                clips.Add((r, count, d, FlatBytes(file, fixedInner.Values, (fixedInner.Offset + start) * d, count * d).ToArray()));
            }
            else if (inner is ListArray listInner)
            {
                var innerOffsets = listInner.ValueOffsets;
                if (count == 0)
                {
                    clips.Add((r, 0, expectedWidth, []));
                    continue;
                }

                var first = innerOffsets[start];
                var d = innerOffsets[start + 1] - first;
                for (var t = start; t < start + count; t++)
                {
                    if (innerOffsets[t + 1] - innerOffsets[t] != d)
                    {
                        throw new ActivationShardException(file, $"column '{name}', row {r}: frames have {d} and {innerOffsets[t + 1] - innerOffsets[t]} values; every frame must have d values.");
                    }
                }

                CheckWidth(file, name, d, expectedWidth);
                clips.Add((r, count, d, FlatBytes(file, listInner.Values, first, count * d).ToArray()));
            }
            else
            {
                throw new ActivationShardException(file, $"column '{name}' is {Describe(array.Data.DataType)}; expected a list of float vectors per row.");
            }
        }

        return clips;
    }

    private static void CheckWidth(string file, string column, int d, int expected)
    {
        if (expected > 0 && d != expected)
        {
            throw new ActivationShardException(file, $"column '{column}' has vectors of {d} values; the dataset's other rows have d {expected}.");
        }

        if (d <= 0)
        {
            throw new ActivationShardException(file, $"column '{column}' has empty vectors; expected d > 0 values per frame.");
        }
    }

    private static (string Name, ActivationShardDataType Type) FindActivationColumn(string file, Schema schema)
    {
        var candidates = new List<(string, ActivationShardDataType)>();
        foreach (var field in schema.FieldsList)
        {
            var type = field.DataType;
            var depth = 0;
            while (type is NestedType nested && nested.Fields.Count == 1 && depth < 2)
            {
                type = nested.Fields[0].DataType;
                depth++;
            }

            if (depth >= 1 && type is FloatType or HalfFloatType)
            {
                candidates.Add((field.Name, type is HalfFloatType ? ActivationShardDataType.Float16 : ActivationShardDataType.Float32));
            }
        }

        var named = candidates.Where(c => c.Item1 == ArrowDatasetLayout.ActivationsColumn).ToList();
        return (named.Count == 1 ? named : candidates) switch
        {
            [var only] => only,
            [] => throw new ActivationShardException(file, $"no column of float32 or float16 vectors among {string.Join(", ", schema.FieldsList.Select(f => $"'{f.Name}' ({Describe(f.DataType)})"))}; expected one per frame or Array2D sequences."),
            var many => throw new ActivationShardException(file, $"several columns of float vectors ({string.Join(", ", many.Select(c => $"'{c.Item1}'"))}); name the activation column '{ArrowDatasetLayout.ActivationsColumn}'."),
        };
    }

    private static ReadOnlySpan<byte> FlatBytes(string file, IArrowArray values, int start, int count)
    {
        switch (values)
        {
            case FloatArray floats:
                return MemoryMarshal.AsBytes(floats.Values.Slice(start, count));
            case HalfFloatArray halves:
                return MemoryMarshal.AsBytes(halves.Values.Slice(start, count));
            default:
                throw new ActivationShardException(file, $"activation values are {Describe(values.Data.DataType)}; expected float32 or float16.");
        }
    }

    private static int ColumnIndex(string file, Schema schema, string name, string expected)
    {
        var index = schema.GetFieldIndex(name);
        return index >= 0
            ? index
            : throw new ActivationShardException(file, $"has no column '{name}' (expected {expected}); columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");
    }

    private static string ValueTypeName(ActivationShardDataType type) => type == ActivationShardDataType.Float16 ? "halffloat" : "float";

    private static string Describe(IArrowType type) => type switch
    {
        FixedSizeListType f => $"fixed_size_list<{Describe(f.ValueDataType)}>[{f.ListSize}]",
        ListType l => $"list<{Describe(l.ValueDataType)}>",
        _ => type.Name,
    };

    private static FileStream OpenStream(string file)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> magic = stackalloc byte[6];
        var read = stream.ReadAtLeast(magic, 6, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == 6 && magic.SequenceEqual("ARROW1"u8))
        {
            stream.Dispose();
            throw new ActivationShardException(file, "is an Arrow IPC file (random-access format, .feather); expected the IPC stream format that datasets.save_to_disk writes.");
        }

        if (read < 4 || (BitConverter.ToUInt32(magic[..4]) != 0xFFFFFFFF && BitConverter.ToInt32(magic[..4]) <= 0))
        {
            stream.Dispose();
            throw new ActivationShardException(file, "is not an Arrow IPC stream (no stream message at its start); expected the format that datasets.save_to_disk writes.");
        }

        return stream;
    }

    private static Schema ReadSchema(string file, ArrowStreamReader reader)
    {
        try
        {
            return reader.Schema ?? throw new ActivationShardException(file, "holds no Arrow schema.");
        }
        catch (Exception e) when (e is not ActivationShardException and not IOException)
        {
            // Apache.Arrow raises assorted exceptions on bytes that are not Arrow; name the file instead.
            throw new ActivationShardException(file, $"is not a readable Arrow IPC stream ({e.GetType().Name}: {e.Message}); expected the format that datasets.save_to_disk writes.", e);
        }
    }

    private static RecordBatch? ReadBatch(string file, ArrowStreamReader reader)
    {
        try
        {
            return reader.ReadNextRecordBatch();
        }
        catch (Exception e) when (e is not ActivationShardException and not IOException)
        {
            throw new ActivationShardException(file, $"has a damaged Arrow record batch ({e.GetType().Name}: {e.Message}).", e);
        }
    }
}
