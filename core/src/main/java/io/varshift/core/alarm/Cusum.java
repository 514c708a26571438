package io.varshift.core.alarm;

import io.varshift.core.calibration.Distributions;

/**
 * A one-sided CUSUM over per-window null-standardised scores u_t (u_t ~ N(0, 1) on clean traffic):
 * S_t = max(0, S_{t−1} + u_t − k), signalling while S_t &gt; h. A shift too small for any single
 * window to cross its threshold still adds a positive drift u − k per window and is caught after a
 * few windows. h is set from the in-control average run length (windows until a false signal),
 * computed with the Brook–Evans Markov chain on N(0, 1) increments; the state restarts at 0 after a
 * signal has been cleared by a non-positive S.
 */
public final class Cusum {

    /** Reference value k: tuned for shifts of about 2k = 1 standard deviation of the window score. */
    public static final double DEFAULT_REFERENCE = 0.5;
    /** Default in-control average run length, in windows. */
    public static final double DEFAULT_ARL = 10_000;
    /** Scores are clipped to ±8, so one window of p = 0 moves the statistic by a bounded step. */
    public static final double MAX_SCORE = 8;
    private static final int STATES = 200;

    private final double reference;
    private final double threshold;
    private double statistic;

    /**
     * @param reference k &gt; 0
     * @param threshold h &gt; 0, usually {@link #thresholdFor(double, double)}
     */
    public Cusum(double reference, double threshold) {
        if (!(reference > 0) || !(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("cusum: reference k = " + reference + " and threshold h = " + threshold
                    + " must both be finite and > 0");
        }
        this.reference = reference;
        this.threshold = threshold;
    }

    /**
     * A window's score from its calibrated p-value: u = Φ⁻¹(1 − p), N(0, 1) on clean windows (the
     * probability integral transform), clipped to ±{@value #MAX_SCORE}; p = 1 or NaN gives −8.
     */
    public static double score(double p) {
        if (!(p < 1)) {
            return -MAX_SCORE;
        }
        if (!(p > Double.MIN_NORMAL)) {
            return MAX_SCORE;
        }
        return Math.max(-MAX_SCORE, Math.min(MAX_SCORE, -Distributions.normalQuantile(p)));
    }

    /** Adds one window's score; returns whether the statistic is now over the threshold. */
    public boolean observe(double score) {
        if (Double.isNaN(score)) {
            return over();
        }
        statistic = Math.max(0, statistic + score - reference);
        return over();
    }

    public boolean over() {
        return statistic > threshold;
    }

    public double statistic() {
        return statistic;
    }

    public double threshold() {
        return threshold;
    }

    public double reference() {
        return reference;
    }

    /** Continues from a statistic taken earlier with {@link #statistic()} (state kept outside this JVM). */
    public void restore(double statistic) {
        if (!(statistic >= 0) || !Double.isFinite(statistic)) {
            throw new IllegalArgumentException("cusum: restore(statistic = " + statistic + "); need a finite value >= 0");
        }
        this.statistic = statistic;
    }

    /** Back to the in-control start (a new model version, a restart). */
    public void reset() {
        statistic = 0;
    }

    /**
     * The in-control ARL of a CUSUM with reference k and threshold h on N(0, 1) increments:
     * Brook–Evans, with [0, h] cut into {@value #STATES} cells and the chain's fundamental matrix
     * solved for the expected steps to absorption above h from 0.
     */
    public static double averageRunLength(double reference, double threshold) {
        int m = STATES;
        double w = threshold / (m - 0.5);
        // Cell 0 is the atom at 0; cell j ≥ 1 is centred at j·w.
        // Transitions depend on j − i only: F[d + m] = Φ((d + 0.5)·w + k) for d = −m..m.
        double[] f = new double[2 * m + 1];
        for (int d = -m; d <= m; d++) {
            f[d + m] = phi((d + 0.5) * w + reference);
        }
        double[][] a = new double[m][m + 1];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double p = j == 0 ? f[-i + m] : f[j - i + m] - f[j - i - 1 + m];
                a[i][j] = (i == j ? 1 : 0) - p;
            }
            a[i][m] = 1;
        }
        // Gaussian elimination with partial pivoting on (I − P) L = 1.
        for (int col = 0; col < m; col++) {
            int pivot = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int r = col + 1; r < m; r++) {
                double factor = a[r][col] / a[col][col];
                if (factor != 0) {
                    for (int c = col; c <= m; c++) {
                        a[r][c] -= factor * a[col][c];
                    }
                }
            }
        }
        double[] l = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double s = a[r][m];
            for (int c = r + 1; c < m; c++) {
                s -= a[r][c] * l[c];
            }
            l[r] = s / a[r][r];
        }
        return l[0];
    }

    /** The threshold h whose in-control ARL is {@code arl} windows (bisection on {@link #averageRunLength}). */
    public static double thresholdFor(double arl, double reference) {
        if (!(arl >= 2) || !Double.isFinite(arl)) {
            throw new IllegalArgumentException("cusum: average run length = " + arl
                    + " windows; use at least 2, e.g. " + (long) DEFAULT_ARL);
        }
        double lo = 1e-3;
        double hi = 1;
        while (averageRunLength(reference, hi) < arl) {
            hi *= 2;
            if (hi > 1e3) {
                throw new IllegalArgumentException("cusum: average run length " + arl + " is out of reach");
            }
        }
        for (int i = 0; i < 60 && hi - lo > 1e-6; i++) {
            double mid = (lo + hi) / 2;
            if (averageRunLength(reference, mid) < arl) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    private static double phi(double x) {
        return io.varshift.core.calibration.Distributions.normalCdf(x);
    }
}
