namespace ArdMl.Sae;

/// <summary>
/// A [rows, width] float matrix stored as column blocks: block q holds columns [q·W, q·W + W_q) of every row, row
/// after row, so one block of a tall matrix is a small contiguous array that stays in cache while sparse products
/// visit its rows in any order.
/// </summary>
internal readonly struct ColumnBlockLayout
{
    public ColumnBlockLayout(int rows, int width, int blockWidth)
    {
        Rows = rows;
        Width = width;
        BlockWidth = blockWidth;
    }

    public int Rows { get; }

    public int Width { get; }

    /// <summary>Columns per block (the last block may be narrower).</summary>
    public int BlockWidth { get; }

    public int BlockCount => (Width + BlockWidth - 1) / BlockWidth;

    /// <summary>First column of block <paramref name="block"/>.</summary>
    public int Start(int block) => block * BlockWidth;

    /// <summary>Columns in block <paramref name="block"/>.</summary>
    public int WidthOf(int block) => Math.Min(BlockWidth, Width - Start(block));

    /// <summary>Offset of block <paramref name="block"/> from the start of the storage, in floats.</summary>
    public long Offset(int block) => (long)Rows * Start(block);

    /// <summary>Copies one row-major row into its place in every block.</summary>
    public unsafe void StoreRow(float* row, int rowIndex, float* blocks)
    {
        for (int q = 0; q < BlockCount; q++)
        {
            int width = WidthOf(q);
            new ReadOnlySpan<float>(row + Start(q), width).CopyTo(new Span<float>(blocks + Offset(q) + ((long)rowIndex * width), width));
        }
    }
}
