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
     * Whether the score is the method's own −log10 p, so that "score &gt; −log10 α" is its uncalibrated
     * decision; false for a raw statistic.
     */
    boolean scoreIsLogP();
}
