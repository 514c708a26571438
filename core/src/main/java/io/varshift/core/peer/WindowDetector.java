package io.varshift.core.peer;

/**
 * A two-sample drift test between a reference set fixed at construction and a window of rows.
 * Rows are row-major floats, {@link #rowLength()} to a row; a window is a whole number of rows.
 */
public interface WindowDetector {

    /** A short name for reports, e.g. {@code ks-features}. */
    String name();

    /** The floats in one row (features, pixels, or classes for softmax outputs). */
    int rowLength();

    /**
     * @param rows the window, row-major, a whole non-zero number of rows
     * @throws IllegalArgumentException when the window is empty or its length is not a multiple of the row length
     */
    WindowOutcome test(float[] rows);
}
