package io.varshift.core.peer;

import java.util.Arrays;

/**
 * A block of rows held column by column, one array per feature, so that the squared Euclidean distances from one
 * row to every row of the block are d passes of a loop that C2 vectorises. (One flat column-major array indexed
 * with an offset defeats JDK 17's alignment analysis and runs about ten times slower.)
 */
final class DistanceBlock {

    private final double[][] columns;

    DistanceBlock(int features, int capacity) {
        this.columns = new double[features][capacity];
    }

    /** Holds rows [fromRow, fromRow + count) of the row-major {@code rows}. */
    void load(float[] rows, int fromRow, int count) {
        int features = columns.length;
        if (columns[0].length < count) {
            for (int f = 0; f < features; f++) {
                columns[f] = new double[count];
            }
        }
        for (int j = 0; j < count; j++) {
            int offset = (fromRow + j) * features;
            for (int f = 0; f < features; f++) {
                columns[f][j] = rows[offset + f];
            }
        }
    }

    /**
     * Sets {@code out[j]} = ‖x − row j‖² for j in [from, to), x the row at {@code offset} in {@code rows}; each
     * distance is summed feature by feature in order, as a plain loop would.
     */
    void distances(float[] rows, int offset, int from, int to, double[] out) {
        Arrays.fill(out, from, to, 0);
        for (int f = 0; f < columns.length; f++) {
            double x = rows[offset + f];
            double[] column = columns[f];
            for (int j = from; j < to; j++) {
                double diff = x - column[j];
                out[j] += diff * diff;
            }
        }
    }
}
