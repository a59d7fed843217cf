using System.Globalization;
using System.Security.Cryptography;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace ArdMl.Activations;

/// <summary>
/// Writes activations as a Hugging Face dataset saved to disk (<see cref="ArrowDatasetLayout"/>). Data files are
/// written as data-NNNNN.arrow and renamed data-NNNNN-of-MMMMM.arrow on completion, when dataset_info.json (with every
/// file's SHA-256) and state.json are written; until then <c>datasets.load_from_disk</c> and the reader see an
/// incomplete folder.
/// </summary>
internal sealed class ArrowActivationShardWriter : TableActivationShardWriter
{
    public ArrowActivationShardWriter(string folder, ActivationShardManifest header, long maxFileBytes)
        : base(folder, header, maxFileBytes)
    {
        var state = Path.Combine(folder, ArrowDatasetLayout.StateFileName);
        if (File.Exists(state))
        {
            File.Delete(state); // resuming: the folder is incomplete until Complete lists its files again
        }
    }

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Arrow;

    private protected override IEnumerable<(string File, ActivationTableMetadata Metadata)> ReadExistingFiles() =>
        ArrowActivationShardReader.DataFiles(Folder).Select(file => (file, ArrowActivationShardReader.ReadTableMetadata(file)
            ?? throw new ActivationShardException(file, $"has no '{ActivationTableMetadata.Key}' schema metadata; cannot resume a dataset ArdMl did not write.")));

    private protected override string FileName(int number) => string.Create(CultureInfo.InvariantCulture, $"data-{number:D5}.arrow");

    private protected override void WriteFile(string path, ActivationTableMetadata metadata, IReadOnlyList<(ActivationTableClip Clip, byte[] Values)> clips)
    {
        var schema = ArrowDatasetLayout.Schema(metadata);
        var listType = (FixedSizeListType)schema.GetFieldByName(ArrowDatasetLayout.ActivationsColumn).DataType;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using (var writer = new ArrowStreamWriter(stream, schema, leaveOpen: true))
        {
            var start = 0;
            while (start < clips.Count)
            {
                var end = start;
                var rows = 0;
                while (end < clips.Count && (end == start || rows + clips[end].Clip.Tokens <= ArrowDatasetLayout.BatchRows))
                {
                    rows += clips[end].Clip.Tokens;
                    end++;
                }

                using var batch = Batch(schema, listType, clips, start, end, rows);
                writer.WriteRecordBatch(batch);
                start = end;
            }

            if (clips.Count == 0)
            {
                using var empty = Batch(schema, listType, clips, 0, 0, 0);
                writer.WriteRecordBatch(empty);
            }

            writer.WriteEnd();
        }

        stream.Flush(flushToDisk: true);
    }

    private protected override void Finish()
    {
        var files = new List<ArrowDataFile>();
        for (var i = 0; i < Files.Count; i++)
        {
            var target = Path.Combine(Folder, ArrowDatasetLayout.DataFileName(i, Files.Count));
            if (!string.Equals(Files[i].Path, target, StringComparison.Ordinal))
            {
                File.Move(Files[i].Path, target);
                Files[i] = Files[i] with { Path = target };
            }

            string hash;
            using (var stream = File.OpenRead(target))
            {
                hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            }

            files.Add(new ArrowDataFile { FileName = Path.GetFileName(target), Sha256 = hash, Clips = Files[i].Clips, Tokens = Files[i].Tokens });
        }

        var manifest = new ActivationShardManifest
        {
            Width = Header.Width,
            DataType = Header.DataType,
            Model = Header.Model,
            ModelSha256 = Header.ModelSha256,
            Tap = Header.Tap,
            SampleRate = Header.SampleRate,
            Producer = Header.Producer,
            Metadata = Header.Metadata,
            Complete = true,
            ClipCount = ClipCount,
            TokenCount = TokenCount,
        };
        ArrowDatasetLayout.WriteFolderFiles(Folder, manifest, files);
    }

    private static RecordBatch Batch(Schema schema, FixedSizeListType listType, IReadOnlyList<(ActivationTableClip Clip, byte[] Values)> clips, int start, int end, int rows)
    {
        var ids = new StringArray.Builder();
        var frames = new Int32Array.Builder();
        var bytesPerValue = listType.ValueDataType is HalfFloatType ? 2 : 4;
        var values = new byte[(long)rows * listType.ListSize * bytesPerValue];
        var offset = 0;
        for (var c = start; c < end; c++)
        {
            var (clip, data) = clips[c];
            for (var t = 0; t < clip.Tokens; t++)
            {
                ids.Append(clip.Clip);
                frames.Append(t);
            }

            data.CopyTo(values, offset);
            offset += data.Length;
        }

        var valueCount = rows * listType.ListSize;
        IArrowArray flat = bytesPerValue == 2
            ? new HalfFloatArray(new ArrowBuffer(values), ArrowBuffer.Empty, valueCount, 0, 0)
            : new FloatArray(new ArrowBuffer(values), ArrowBuffer.Empty, valueCount, 0, 0);
        var list = new FixedSizeListArray(listType, rows, flat, ArrowBuffer.Empty, 0, 0);
        return new RecordBatch(schema, [ids.Build(), frames.Build(), list], rows);
    }
}
