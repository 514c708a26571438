package io.varshift.core.probe;



import java.util.Arrays;

/**
 * The spatial cells a probe averages a feature map over: the H x W positions cut into at most
 * {@value #MAX_SIDE} x {@value #MAX_SIDE} rectangles, row band i holding rows [⌊iH/G⌋, ⌊(i+1)H/G⌋)
 * (the same for columns). A dense layer (no spatial axes) is one cell. Cells keep where in the image
 * a change happened: a patch over a tenth of the image moves one cell's mean several times more than
 * the whole map's.
 */
public final class CellGrid {

    /** Most cells per side: 4 x 4 = 16 cells per channel. */
    public static final int MAX_SIDE = 4;

    private final int height;
    private final int width;
    private final int rows;
    private final int columns;
    private final int[] sizes;
    /** Spatial axes of the map: 0 dense, 1 sequence, 2 image. */
    private final int dimensions;

    private CellGrid(int height, int width, int dimensions) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("cell grid: a " + height + " x " + width + " map has no positions");
        }
        this.height = height;
        this.width = width;
        this.dimensions = dimensions;
        this.rows = Math.min(MAX_SIDE, height);
        this.columns = Math.min(MAX_SIDE, width);
        this.sizes = new int[rows * columns];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                sizes[cellOf(y, x)]++;
            }
        }
    }

    /**
     * The grid of one sample's positions: {@code spatial} is the input shape after the batch and
     * channel axes ([H, W], [L] for a sequence as 1 x L, or empty for a dense layer).
     */
    public static CellGrid of(long... spatial) {
        return switch (spatial.length) {
            case 0 -> new CellGrid(1, 1, 0);
            case 1 -> new CellGrid(1, Math.toIntExact(spatial[0]), 1);
            case 2 -> new CellGrid(Math.toIntExact(spatial[0]), Math.toIntExact(spatial[1]), 2);
            default -> throw new IllegalArgumentException("cell grid: " + spatial.length
                    + " spatial axes " + Arrays.toString(spatial) + "; BN probes handle dense, 1-D and 2-D maps");
        };
    }

    /** Whether every cell has the same size: a 2-D map whose sides the bands divide exactly. */
    public boolean evenlyDivides() {
        return dimensions == 2 && height % rows == 0 && width % columns == 0;
    }

    /** Rows per cell when {@link #evenlyDivides()}. */
    public int cellHeight() {
        return height / rows;
    }

    /** Columns per cell when {@link #evenlyDivides()}. */
    public int cellWidth() {
        return width / columns;
    }

    public int positions() {
        return height * width;
    }

    /** Cells per channel. */
    public int cells() {
        return rows * columns;
    }

    /** The cell (row-major over the grid) that position (y, x) falls in. */
    public int cellOf(int y, int x) {
        return band(y, height, rows) * columns + band(x, width, columns);
    }

    /** Positions in each cell. */
    public int[] cellSizes() {
        return sizes.clone();
    }

    /**
     * The [positions, cells] matrix, row-major, that turns a row of positions into cell means:
     * entry (p, c) is 1/|c| when position p lies in cell c, else 0.
     */
    public float[] averagingMatrix() {
        int cells = cells();
        float[] matrix = new float[positions() * cells];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int c = cellOf(y, x);
                matrix[(y * width + x) * cells + c] = 1f / sizes[c];
            }
        }
        return matrix;
    }

    /** Cell means of one channel's positions (row-major H x W, from {@code offset}), into {@code out}. */
    public void cellMeans(float[] positions, int offset, double[] out) {
        Arrays.fill(out, 0, cells(), 0);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[cellOf(y, x)] += positions[offset + y * width + x];
            }
        }
        for (int c = 0; c < cells(); c++) {
            out[c] /= sizes[c];
        }
    }

    /** Band of coordinate v among {@code bands} bands of a side of length n: the largest i with ⌊i·n/bands⌋ ≤ v. */
    private static int band(int v, int n, int bands) {
        int i = bands - 1;
        while ((long) i * n / bands > v) {
            i--;
        }
        return i;
    }

    @Override
    public String toString() {
        return rows + " x " + columns + " cells over " + height + " x " + width;
    }
}
