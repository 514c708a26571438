package io.varshift.trainer.benchmark;

import java.util.SplittableRandom;

/**
 * Windows of distinct rows drawn uniformly from a pool (a partial Fisher–Yates shuffle over a kept
 * permutation, so each draw costs the window's size). Distinct, because a repeated image is not
 * what live traffic holds, and because repeats would make windows from a small pool look more drifted
 * to the two-sample tests than windows from a large one: a threshold set on one would not carry over
 * to the other.
 */
final class WindowDraw {

    private final int[] rows;

    /** @param rows the pool's rows to draw from */
    WindowDraw(int[] rows) {
        this.rows = rows.clone();
    }

    /** Rows 0..n−1. */
    static WindowDraw all(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return new WindowDraw(rows);
    }

    /** The pool's rows, in their current order. */
    int[] rows() {
        return rows.clone();
    }

    /**
     * Writes {@code out.length} distinct rows, uniformly chosen and in random order.
     *
     * @throws IllegalArgumentException when the window is larger than the pool
     */
    int[] draw(SplittableRandom random, int[] out) {
        if (out.length > rows.length) {
            throw new IllegalArgumentException("a window of " + out.length + " distinct rows needs a pool of at least"
                    + " that many; this one has " + rows.length);
        }
        for (int i = 0; i < out.length; i++) {
            int j = i + random.nextInt(rows.length - i);
            int swap = rows[i];
            rows[i] = rows[j];
            rows[j] = swap;
            out[i] = rows[i];
        }
        return out;
    }
}
