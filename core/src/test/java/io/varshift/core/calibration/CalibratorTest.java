package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.moments.ChannelMoments;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibratorTest {

    private static final double[] MEAN = {1, -2, 0.5, 3};
    private static final double[] SD = {1, 0.5, 2, 0.1};
    private static final double[] RUNNING_MEAN = {1.1, -2, 0.4, 3};
    private static final int WINDOW = 100;
    private static final GaussianLayerData CLEAN = new GaussianLayerData(MEAN, SD, 4, 0.3);

    private static LayerCalibration calibrate(double alpha) {
        SampleContributions heldOut = CLEAN.contributions(new SplittableRandom(1), 3000, RUNNING_MEAN);
        return new Calibrator(2000, 2).calibrate(heldOut, WINDOW, alpha);
    }

    private static double score(LayerCalibration cal, GaussianLayerData data, long seed) {
        return cal.score(data.window(new SplittableRandom(seed), WINDOW, RUNNING_MEAN));
    }

    @Test
    void exponentialTailFitRecoversTheQuantilesOfAnExponentialDistribution() {
        // Replicates at the exact quantiles of Exp(1): P(X > t) = exp(-t), so the alpha-quantile is ln(1/alpha).
        int n = 100_000;
        double[] exp = new double[n];
        for (int i = 0; i < n; i++) {
            exp[i] = -Math.log(1 - (i + 0.5) / n);
        }
        assertThat(Calibrator.upperQuantile(exp, 0.1)).isCloseTo(Math.log(10), within(1e-3));
        assertThat(Calibrator.upperQuantile(exp, 1e-2)).isCloseTo(Math.log(1e2), within(1e-2));
        assertThat(Calibrator.upperQuantile(exp, 1e-4)).isCloseTo(Math.log(1e4), within(1e-2));
    }

    @Test
    void cleanWindowsScoreNearZeroAndBelowTheThreshold() {
        LayerCalibration cal = calibrate(1e-4);
        double sum = 0;
        for (int seed = 10; seed < 30; seed++) {
            double s = score(cal, CLEAN, seed);
            sum += s;
            assertThat(s).isLessThan(cal.threshold());
        }
        assertThat(sum / 20).isBetween(-1.0, 1.0);
        // A rate of 1e-4 lies far in the tail: the threshold is several null standard deviations out.
        assertThat(cal.threshold()).isGreaterThan(3);
    }

    @Test
    void varianceShiftsInEitherDirectionAndMeanShiftsAreOverTheThreshold() {
        LayerCalibration cal = calibrate(1e-4);
        assertThat(score(cal, CLEAN.drifted(1.5, 0), 3)).isGreaterThan(cal.threshold());
        assertThat(score(cal, CLEAN.drifted(1 / 1.5, 0), 3)).isGreaterThan(cal.threshold());
        assertThat(score(cal, CLEAN.drifted(1, 0.5), 3)).isGreaterThan(cal.threshold());
    }

    @Test
    void sameSeedGivesTheSameCalibrationAndAnotherSeedADifferentOne() {
        SampleContributions heldOut = CLEAN.contributions(new SplittableRandom(1), 500, RUNNING_MEAN);
        LayerCalibration a = new Calibrator(300, 5).calibrate(heldOut, 20, 1e-3);
        LayerCalibration b = new Calibrator(300, 5).calibrate(heldOut, 20, 1e-3);
        LayerCalibration c = new Calibrator(300, 6).calibrate(heldOut, 20, 1e-3);
        assertThat(b.toJson()).isEqualTo(a.toJson());
        assertThat(c.nullMean()).isNotEqualTo(a.nullMean());
    }

    @Test
    void baselineIsTheMomentsOfAllHeldOutSamples() {
        SampleContributions heldOut = CLEAN.contributions(new SplittableRandom(1), 500, RUNNING_MEAN);
        LayerCalibration cal = new Calibrator(300, 5).calibrate(heldOut, 20, 1e-3);
        ChannelMoments total = heldOut.total();
        for (int c = 0; c < MEAN.length; c++) {
            assertThat(cal.baselineMean()[c]).isEqualTo(total.mean(c));
            assertThat(cal.baselineVar()[c]).isEqualTo(total.variance(c));
        }
        assertThat(total.count()).isEqualTo(500L * 4);
        assertThat(cal.positionsPerSample()).isEqualTo(4);
        assertThat(cal.replicates()).isEqualTo(300);
    }

    @Test
    void driftStatisticMatchesItsDefinitionOnASmallWindow() {
        // One channel, values 0, 2 (mean 1, variance 1) against a baseline of mean 0, variance 4.
        ChannelMoments window = new ChannelMoments(new double[] {0});
        window.addValues(new float[] {0, 2}, 2, 1, 1);
        double eps = DriftStatistic.EPSILON;
        double expected = Math.pow(Math.log((1 + eps) / (4 + eps)), 2) + 1 / (4 + eps);
        assertThat(DriftStatistic.of(window, new double[] {0}, new double[] {4})).isCloseTo(expected, within(1e-15));
    }

    @Test
    void statisticOfALargerWindowIsRescaledToTheCalibratedSize() {
        SampleContributions heldOut = CLEAN.contributions(new SplittableRandom(1), 500, RUNNING_MEAN);
        LayerCalibration cal = new Calibrator(300, 5).calibrate(heldOut, 20, 1e-3);
        ChannelMoments doubleWindow = CLEAN.window(new SplittableRandom(9), 40, RUNNING_MEAN);
        double raw = DriftStatistic.of(doubleWindow, cal.baselineMean(), cal.baselineVar());
        assertThat(cal.statistic(doubleWindow)).isCloseTo(2 * raw, within(1e-12 * raw));
    }

    @Test
    void badCalibrationRequestsAreRefusedWithTheFix() {
        SampleContributions few = CLEAN.contributions(new SplittableRandom(1), 10, RUNNING_MEAN);
        Calibrator calibrator = new Calibrator(300, 1);
        assertThatThrownBy(() -> calibrator.calibrate(few, 20, 1e-3)).hasMessageContaining("fewer than one window of 20");
        assertThatThrownBy(() -> calibrator.calibrate(few, 5, 0.7)).hasMessageContaining("falseAlarmRate = 0.7");
        assertThatThrownBy(() -> calibrator.calibrate(few, 1, 1e-3)).hasMessageContaining("windowSize = 1");
        assertThatThrownBy(() -> new Calibrator(50, 1)).hasMessageContaining("replicates = 50");

        SampleContributions constant = new SampleContributions(new double[] {0}, 1);
        constant.add(new float[30], new float[30], 30);
        assertThatThrownBy(() -> calibrator.calibrate(constant, 5, 1e-3)).hasMessageContaining("constant held-out data");
    }

    @Test
    void contributionsRefuseShortArrays() {
        SampleContributions c = new SampleContributions(new double[] {0, 0}, 1);
        assertThatThrownBy(() -> c.add(new float[3], new float[4], 2)).hasMessageContaining("s1 length 3");
        assertThatThrownBy(() -> new SampleContributions(new double[] {0}, 0)).hasMessageContaining("positionsPerSample = 0");
    }
}
