package io.varshift.core.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import java.util.Arrays;

/**
 * The null distribution of one window statistic, as bootstrapped from clean windows: a grid of
 * empirical quantiles up to the {@value #TAIL_START} quantile u, and above it an exponential tail
 * P(X &gt; x) = {@value #TAIL_FRACTION}·exp(−(x − u)/m), m the mean excess over u (peaks over
 * threshold). The statistics it holds (n·D of a layer, the maximum of −ln p over layers) are
 * chi-square-like or maxima of exponentials, whose upper tails are close to exponential, so the fit
 * resolves rates such as 1e-4 that a few thousand replicates cannot.
 */
final class NullDistribution {

    /** Share of the replicates in the fitted tail. */
    static final double TAIL_FRACTION = 0.05;
    static final double TAIL_START = 1 - TAIL_FRACTION;
    /** Grid step in probability: quantiles at 0, 1/200, …, 0.95. */
    private static final int STEPS_PER_UNIT = 200;
    private static final int GRID = (int) Math.round(TAIL_START * STEPS_PER_UNIT);
    static final int MIN_REPLICATES = 200;

    private final double[] quantiles;
    private final double meanExcess;

    private NullDistribution(double[] quantiles, double meanExcess) {
        this.quantiles = quantiles;
        this.meanExcess = meanExcess;
    }

    /**
     * @param replicates the statistic over clean bootstrap windows (at least {@value #MIN_REPLICATES})
     * @throws IllegalArgumentException when there are too few replicates, one is not finite, or all
     *     are equal (constant clean data)
     */
    public static NullDistribution of(double[] replicates) {
        if (replicates.length < MIN_REPLICATES) {
            throw new IllegalArgumentException("null distribution: " + replicates.length + " replicates; need at least "
                    + MIN_REPLICATES + " so that the fitted tail holds 10 or more");
        }
        double[] sorted = replicates.clone();
        Arrays.sort(sorted);
        if (!Double.isFinite(sorted[0]) || !Double.isFinite(sorted[sorted.length - 1])) {
            throw new IllegalArgumentException("null distribution: a replicate is not finite (NaN or infinite)");
        }
        if (sorted[0] == sorted[sorted.length - 1]) {
            throw new IllegalArgumentException("null distribution: every bootstrap window gave the same statistic "
                    + sorted[0] + " (constant held-out data?); calibrate on varied clean data");
        }
        double[] grid = new double[GRID + 1];
        for (int i = 0; i <= GRID; i++) {
            grid[i] = empiricalQuantile(sorted, (double) i / STEPS_PER_UNIT);
        }
        double u = grid[GRID];
        double excess = 0;
        int exceedances = 0;
        for (int i = sorted.length - 1; i >= 0 && sorted[i] > u; i--) {
            excess += sorted[i] - u;
            exceedances++;
        }
        double m = exceedances == 0 ? 0 : excess / exceedances;
        if (!(m > 0)) {
            // A tail of ties: the smallest positive spread keeps the tail decreasing instead of a step.
            m = Math.max(Math.ulp(u), (u - grid[0]) * 1e-6);
        }
        return new NullDistribution(grid, m);
    }

    /** P(X ≥ x) under the null: 1 below the smallest replicate, the grid below u, the fitted tail above. */
    public double tailProbability(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double u = quantiles[GRID];
        if (x > u) {
            return TAIL_FRACTION * Math.exp(-(x - u) / meanExcess);
        }
        if (x <= quantiles[0]) {
            return 1;
        }
        // Last grid point at or below x; interpolate the CDF linearly to the next.
        int i = Arrays.binarySearch(quantiles, x);
        if (i < 0) {
            i = -i - 2;
        } else {
            while (i < GRID && quantiles[i + 1] == x) {
                i++;
            }
        }
        double lo = quantiles[i];
        double hi = quantiles[Math.min(i + 1, GRID)];
        double within = hi > lo ? (x - lo) / (hi - lo) : 0;
        double cdf = (i + within) / STEPS_PER_UNIT;
        return 1 - cdf;
    }

    /** The value exceeded with probability {@code upper}: the inverse of {@link #tailProbability}. */
    public double upperQuantile(double upper) {
        if (!(upper > 0 && upper <= 1)) {
            throw new IllegalArgumentException("upper tail probability = " + upper + ": must lie in (0, 1]");
        }
        if (upper < TAIL_FRACTION) {
            return quantiles[GRID] + meanExcess * Math.log(TAIL_FRACTION / upper);
        }
        double h = (1 - upper) * STEPS_PER_UNIT;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, GRID);
        return quantiles[lo] + (h - lo) * (quantiles[hi] - quantiles[lo]);
    }

    /** Linear interpolation between order statistics (type 7). */
    private static double empiricalQuantile(double[] sorted, double prob) {
        double h = (sorted.length - 1) * prob;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.set("quantiles", JsonFields.array(quantiles));
        o.put("meanExcess", meanExcess);
        return o;
    }

    static NullDistribution fromJson(String owner, JsonNode o) {
        JsonFields f = new JsonFields(owner, o);
        double[] q = f.doubles("quantiles");
        if (q.length != GRID + 1) {
            throw new IllegalArgumentException(owner + ": 'quantiles' has " + q.length + " values; this build expects "
                    + (GRID + 1) + " (quantiles 0 to " + TAIL_START + " in steps of 1/" + STEPS_PER_UNIT + ")");
        }
        for (int i = 1; i < q.length; i++) {
            if (!(q[i] >= q[i - 1])) {
                throw new IllegalArgumentException(owner + ": 'quantiles' must be non-decreasing; quantiles[" + i
                        + "] = " + q[i] + " < quantiles[" + (i - 1) + "] = " + q[i - 1]);
            }
        }
        double m = f.number("meanExcess");
        if (!(m > 0)) {
            throw new IllegalArgumentException(owner + ": 'meanExcess' = " + m + " must be > 0");
        }
        return new NullDistribution(q, m);
    }
}
