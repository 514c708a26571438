package io.varshift.trainer.benchmark;

/**
 * A detector as the benchmark runs it: a drift score for a window of pool rows, higher meaning more
 * drift, and the decision the detector's own method takes at a per-window α (null when its own p-value
 * is too costly to compute for every window).
 */
interface BenchmarkDetector {

    /** The name in tables and JSON. */
    String name();

    /** One line for the report: what is tested and how. */
    String description();

    double score(Pool pool, int[] rows, int n);

    /**
     * The score of a window of the detector's own reference rows against the rest of its reference.
     * A random split of i.i.d. rows gives two independent samples, so these scores follow the null of a
     * fresh window against a reference of the same size less n: the threshold is their (1 − α) quantile.
     * (Windows from a separate fixed pool would instead carry that pool's own offset from the reference
     * in every window.)
     */
    double calibrationScore(int[] referenceRows, int n);

    /**
     * Whether the score is the method's own −log10 p, so that "score &gt; −log10 α" is its uncalibrated
     * decision; false for a raw statistic.
     */
    boolean scoreIsLogP();
}
