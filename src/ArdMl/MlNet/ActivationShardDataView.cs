using ArdMl.Activations;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ArdMl.MlNet;

/// <summary>
/// An IDataView over an activation shard folder (models/SHARDS.md), with the schema ExtractActivations produces:
/// "ClipId" (text), "Activations" (Vector&lt;Single&gt;(0, d), tokens × d row-major) and "FrameCount" (Int32).
/// Cursors stream clip by clip (bounded memory) and verify each clip's checksum; the folder is verified when opened.
/// Create it with <c>mlContext.Data.LoadFromActivationShards(folder)</c> or <see cref="Load"/>.
/// </summary>
public sealed class ActivationShardDataView : IDataView
{
    /// <summary>Name of the clip id column.</summary>
    public const string ClipIdColumnName = "ClipId";

    /// <summary>Name of the activations column.</summary>
    public const string ActivationsColumnName = "Activations";

    /// <summary>Name of the frame-count column.</summary>
    public const string FrameCountColumnName = "FrameCount";

    private readonly ActivationShardReader _reader;

    private ActivationShardDataView(ActivationShardReader reader)
    {
        _reader = reader;
        Schema = SchemaFor(reader.Width);
    }

    /// <summary>The manifest of the folder (model, tap, d, dtype).</summary>
    public ActivationShardManifest Manifest => _reader.Manifest;

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>The schema of a shard folder of width <paramref name="width"/> (the input schema of a model fitted on shards).</summary>
    internal static DataViewSchema SchemaFor(int width)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(ClipIdColumnName, TextDataViewType.Instance);
        builder.AddColumn(ActivationsColumnName, new VectorDataViewType(NumberDataViewType.Single, 0, width));
        builder.AddColumn(FrameCountColumnName, NumberDataViewType.Int32);
        return builder.ToSchema();
    }

    /// <summary>Opens and verifies a shard folder (or a folder of part folders).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="allowIncomplete">Accept folders whose writer did not complete.</param>
    public static ActivationShardDataView Load(string folder, bool allowIncomplete = false) => new(ActivationShardReader.Open(folder, allowIncomplete));

    /// <inheritdoc/>
    public long? GetRowCount() => _reader.ClipCount;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ActivationShardDataView _parent;
        private readonly HashSet<int> _active;
        private readonly IEnumerator<ActivationShardClip> _clips;
        private long _position = -1;

        public Cursor(ActivationShardDataView parent, HashSet<int> active)
        {
            _parent = parent;
            _active = active;
            _clips = parent._reader.ReadClips().GetEnumerator();
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_clips.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            }

            Delegate getter = column.Index switch
            {
                0 => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Current.ClipId.AsMemory()),
                1 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var clip = Current;
                    var editor = VBufferEditor.Create(ref value, clip.Data.Length);
                    clip.Data.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                2 => (ValueGetter<int>)((ref int value) => value = Current.Tokens),
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Index, "No such column."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _clips.Dispose();
            }

            base.Dispose(disposing);
        }

        private ActivationShardClip Current => _position >= 0 ? _clips.Current : throw new InvalidOperationException("MoveNext was not called.");
    }
}
