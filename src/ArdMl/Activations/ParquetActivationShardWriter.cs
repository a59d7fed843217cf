using System.Globalization;
using System.Runtime.InteropServices;
using Parquet;

namespace ArdMl.Activations;

/// <summary>
/// Writes activations as Parquet files (<see cref="ParquetLayout"/>): part-NNNNN.parquet, one row per frame, the
/// folder's header and the file's clip index in the footer's key-value metadata. A file is written under a temporary
/// name and renamed once its footer is complete, so every .parquet file in the folder is whole.
/// </summary>
internal sealed class ParquetActivationShardWriter : TableActivationShardWriter
{
    public ParquetActivationShardWriter(string folder, ActivationShardManifest header, long maxFileBytes)
        : base(folder, header, maxFileBytes)
    {
    }

    /// <inheritdoc/>
    public override ActivationShardFormat Format => ActivationShardFormat.Parquet;

    private protected override IEnumerable<(string File, ActivationTableMetadata Metadata)> ReadExistingFiles() =>
        ParquetActivationShardReader.DataFiles(Folder).Select(file => (file, ParquetActivationShardReader.ReadTableMetadata(file)));

    private protected override string FileName(int number) => string.Create(CultureInfo.InvariantCulture, $"part-{number:D5}.parquet");

    private protected override void WriteFile(string path, ActivationTableMetadata metadata, IReadOnlyList<(ActivationTableClip Clip, byte[] Values)> clips) =>
        WriteFileAsync(path, metadata, clips).GetAwaiter().GetResult();

    private static async Task WriteFileAsync(string path, ActivationTableMetadata metadata, IReadOnlyList<(ActivationTableClip Clip, byte[] Values)> clips)
    {
        var width = metadata.Manifest.Width;
        var schema = ParquetLayout.Schema();
        var fields = schema.DataFields;
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string> { [ActivationTableMetadata.Key] = metadata.ToJson() };
            var rowsPerGroup = Math.Max(1, ParquetLayout.RowGroupValues / width);
            var start = 0;
            do
            {
                var end = start;
                var rows = 0;
                while (end < clips.Count && (end == start || rows + clips[end].Clip.Tokens <= rowsPerGroup))
                {
                    rows += clips[end].Clip.Tokens;
                    end++;
                }

                var ids = new string[rows];
                var frames = new int[rows];
                var values = new float[(long)rows * width];
                var repetition = new int[values.Length];
                var row = 0;
                for (var c = start; c < end; c++)
                {
                    var (clip, bytes) = clips[c];
                    Widen(bytes, metadata.Manifest.DataType, values.AsSpan(row * width, clip.Tokens * width));
                    for (var t = 0; t < clip.Tokens; t++, row++)
                    {
                        ids[row] = clip.Clip;
                        frames[row] = t;
                        repetition.AsSpan((row * width) + 1, width - 1).Fill(1);
                    }
                }

                using (var group = writer.CreateRowGroup())
                {
                    await group.WriteAsync(fields[0], ids, null).ConfigureAwait(false);
                    await group.WriteAsync<int>(fields[1], frames, null).ConfigureAwait(false);
                    // Every list and element is present: each value has the field's maximum definition level.
                    var definition = new int[values.Length];
                    definition.AsSpan().Fill(fields[2].MaxDefinitionLevel);
                    await group.WriteAllPartsAsync<float>(fields[2], values, definition, repetition, CancellationToken.None).ConfigureAwait(false);
                }

                start = end;
            }
            while (start < clips.Count);
        }

        stream.Flush(flushToDisk: true);
    }

    private static void Widen(byte[] bytes, ActivationShardDataType type, Span<float> target)
    {
        if (type == ActivationShardDataType.Float32)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(target);
            return;
        }

        var halves = MemoryMarshal.Cast<byte, Half>(bytes);
        for (var i = 0; i < halves.Length; i++)
        {
            target[i] = (float)halves[i];
        }
    }
}
