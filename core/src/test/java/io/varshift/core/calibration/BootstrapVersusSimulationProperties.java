package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import io.varshift.core.moments.ChannelMoments;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The bootstrap null, fitted from held-out samples only, must give the promised false-alarm rate
 * on windows freshly simulated from the true clean distribution.
 */
class BootstrapVersusSimulationProperties {

    private static final int HELD_OUT = 10_000;
    private static final int REPLICATES = 10_000;
    private static final int FRESH_WINDOWS = 10_000;
    private static final double[] ALPHAS = {0.05, 0.01};

    @Property(tries = 6)
    void bootstrapThresholdGivesTheTargetFalseAlarmRateOnFreshCleanWindows(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 8) int channels, @ForAll @IntRange(min = 1, max = 4) int positions,
            @ForAll @IntRange(min = 20, max = 60) int windowSize,
            @ForAll @DoubleRange(min = 0, max = 0.8) double withinSampleWeight) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] mean = new double[channels];
        double[] sd = new double[channels];
        double[] runningMean = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = 5 * random.nextGaussian();
            sd[c] = 0.1 + 3 * random.nextDouble();
            runningMean[c] = mean[c] + 0.3 * sd[c] * random.nextGaussian();
        }
        GaussianLayerData clean = new GaussianLayerData(mean, sd, positions, withinSampleWeight);
        SampleContributions heldOut = clean.contributions(random.split(), HELD_OUT, runningMean);
        LayerCalibration[] calibrations = new LayerCalibration[ALPHAS.length];
        for (int k = 0; k < ALPHAS.length; k++) {
            calibrations[k] = new Calibrator(REPLICATES, random.nextLong()).calibrate(heldOut, windowSize, ALPHAS[k]);
        }

        int[] over = new int[ALPHAS.length];
        for (int w = 0; w < FRESH_WINDOWS; w++) {
            ChannelMoments window = clean.window(random, windowSize, runningMean);
            for (int k = 0; k < ALPHAS.length; k++) {
                if (calibrations[k].score(window) > calibrations[k].threshold()) {
                    over[k]++;
                }
            }
        }

        for (int k = 0; k < ALPHAS.length; k++) {
            double alpha = ALPHAS[k];
            double rate = (double) over[k] / FRESH_WINDOWS;
            // Four and a half binomial standard deviations: the fresh count and the replicates that set the threshold.
            double tolerance = 4.5 * Math.sqrt(alpha * (1 - alpha) * (1.0 / FRESH_WINDOWS + 1.0 / REPLICATES));
            assertThat(rate).as("false-alarm rate at alpha %s (channels %d, positions %d, window %d)",
                    alpha, channels, positions, windowSize).isBetween(alpha - tolerance, alpha + tolerance);
        }
    }
}
