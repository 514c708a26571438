package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Bootstraps the null distribution of a layer's drift statistic from clean per-sample
 * contributions and fits the calibration for a target per-window false-alarm rate.
 *
 * <p>Each replicate draws {@code windowSize} samples with replacement, sums their contributions
 * into a window and computes D against the baseline of all contributions. A target rate such as
 * 1e-4 lies beyond what a few thousand replicates resolve, so the threshold comes from a
 * peaks-over-threshold fit: D is a chi-square-like quadratic form, whose upper tail is close to
 * exponential, so above the replicates' (1 − {@value #TAIL_FRACTION}) quantile u the tail is
 * modelled as P(D &gt; t) = {@value #TAIL_FRACTION}·exp(−(t − u)/m), with m the mean excess over u.
 * Rates of at least {@value #TAIL_FRACTION} use the empirical quantile. The score is D^(1/3)
 * standardised by the replicates' mean and standard deviation (near normal by Wilson–Hilferty), so
 * that it reads like a z-score; the threshold is the fitted quantile mapped to that scale.
 */
public final class Calibrator {

    /** Default number of bootstrap replicates. */
    public static final int DEFAULT_REPLICATES = 10_000;
    /** Share of the replicates that forms the fitted upper tail. */
    static final double TAIL_FRACTION = 0.05;
    private static final int MIN_REPLICATES = 200;

    private final int replicates;
    private final long seed;

    /**
     * @param replicates bootstrap replicates (at least 200, so that the tail holds 10 or more)
     * @param seed seed of the resampling, so that a calibration can be reproduced
     */
    public Calibrator(int replicates, long seed) {
        if (replicates < MIN_REPLICATES) {
            throw new IllegalArgumentException("calibrator replicates = " + replicates
                    + ": need at least " + MIN_REPLICATES + " for a stable tail fit (default " + DEFAULT_REPLICATES + ")");
        }
        this.replicates = replicates;
        this.seed = seed;
    }

    /**
     * @param clean per-sample contributions of clean held-out data for one layer
     * @param windowSize samples per window, as the agent will close them
     * @param falseAlarmRate target per-window false-alarm probability, in (0, 0.5)
     * @throws IllegalArgumentException when there are fewer clean samples than one window, the
     *     rate is out of range, or the null is degenerate (constant data)
     */
    public LayerCalibration calibrate(SampleContributions clean, int windowSize, double falseAlarmRate) {
        if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
            throw new IllegalArgumentException("falseAlarmRate = " + falseAlarmRate + ": must lie in (0, 0.5), e.g. 1e-4");
        }
        ChannelMoments baseline = baseline(clean, windowSize);
        double[] mean = new double[baseline.channels()];
        double[] var = new double[baseline.channels()];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = baseline.mean(c);
            var[c] = baseline.variance(c);
        }
        double[] nullStatistics = nullStatistics(clean, windowSize, mean, var);
        double sum = 0;
        for (double d : nullStatistics) {
            sum += DriftStatistic.transform(d);
        }
        double nullMean = sum / replicates;
        double squares = 0;
        for (double d : nullStatistics) {
            double e = DriftStatistic.transform(d) - nullMean;
            squares += e * e;
        }
        double nullSd = Math.sqrt(squares / (replicates - 1));
        if (!(nullSd > 0)) {
            throw new IllegalArgumentException("calibration: every bootstrap window gave the same drift statistic "
                    + "(constant held-out data?); calibrate on varied clean data");
        }
        double threshold = (DriftStatistic.transform(upperQuantile(nullStatistics, falseAlarmRate)) - nullMean) / nullSd;
        return new LayerCalibration(windowSize, clean.positionsPerSample(), falseAlarmRate, replicates, mean, var,
                nullMean, nullSd, threshold);
    }

    private static ChannelMoments baseline(SampleContributions clean, int windowSize) {
        if (windowSize < 2) {
            throw new IllegalArgumentException("windowSize = " + windowSize + ": must be at least 2 samples");
        }
        if (clean.samples() < windowSize) {
            throw new IllegalArgumentException("calibration: " + clean.samples() + " clean samples are fewer than one "
                    + "window of " + windowSize + "; collect more held-out samples or use a smaller window");
        }
        return clean.total();
    }

    /** The raw bootstrap replicates of D, in draw order. */
    double[] nullStatistics(SampleContributions clean, int windowSize, double[] baselineMean, double[] baselineVar) {
        SplittableRandom random = new SplittableRandom(seed);
        int channels = clean.channels();
        int[] rows = new int[windowSize];
        float[] row1 = new float[channels];
        float[] row2 = new float[channels];
        double[] out = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            for (int i = 0; i < windowSize; i++) {
                rows[i] = random.nextInt(clean.samples());
            }
            out[r] = DriftStatistic.of(clean.window(rows, row1, row2), baselineMean, baselineVar);
        }
        return out;
    }

    /** The value exceeded with probability alpha: empirical above the tail, exponential tail fit within it. */
    static double upperQuantile(double[] replicates, double alpha) {
        double[] sorted = replicates.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        if (alpha >= TAIL_FRACTION) {
            return empiricalQuantile(sorted, 1 - alpha);
        }
        double u = empiricalQuantile(sorted, 1 - TAIL_FRACTION);
        double excess = 0;
        int exceedances = 0;
        for (int i = n - 1; i >= 0 && sorted[i] > u; i--) {
            excess += sorted[i] - u;
            exceedances++;
        }
        double meanExcess = exceedances == 0 ? 0 : excess / exceedances;
        return u + meanExcess * Math.log(TAIL_FRACTION / alpha);
    }

    /** Linear interpolation between order statistics (type 7). */
    private static double empiricalQuantile(double[] sorted, double prob) {
        double h = (sorted.length - 1) * prob;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
