package io.varshift.core.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import io.varshift.core.model.Fixtures;
import io.varshift.core.moments.ChannelMoments;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The probe reduces raw sums on the engine and shifts them on the host unless that would cancel too
 * many digits; these tests pin both paths to a double-precision brute force on inputs placed on
 * either side of the cancellation limit.
 */
class ProbePrecisionTest {

    private static final int SAMPLES = 16;
    private static final int CHANNELS = 3;
    private static final int POSITIONS = 256;

    @Test
    void theFastPathKeepsItsPrecisionJustBelowTheCancellationLimit() {
        // Σx² / Σ(x − k)² ≈ 1 + (mean/sd)² = 82 for mean 9·sd and k at the mean: below the limit of 100.
        Probed run = probe(9.0, 1.0, 9.0);
        assertThat(run.exactBatches).as("layer reduced on the exact path").isZero();
        run.assertMatchesBruteForce(1e-4);
    }

    @Test
    void inputFarFromZeroButNearTheRunningMeanIsReducedOnTheExactPath() {
        // Σx² / Σ(x − k)² ≈ 10⁶: the host-side shift would keep about no digit of the variance.
        Probed run = probe(1000.0, 1.0, 1000.0);
        assertThat(run.exactBatches).isEqualTo(1);
        run.assertMatchesBruteForce(1e-4);
    }

    @Test
    void aNonFiniteSumSendsTheLayerToTheExactPath() {
        float[] raw = {1f, 2f, Float.POSITIVE_INFINITY, 3f};
        float[] s1 = new float[2];
        float[] s2 = new float[2];
        assertThat(ProbedBatchNorm.shiftOnHost(raw, new float[] {0f}, 2, 1, 4, s1, s2)).isFalse();
    }

    @Test
    void hostShiftEqualsTheClosedFormOnAWellConditionedCell() {
        // One sample, one channel, values 1, 2, 3, 6: Σx = 12, ‖x‖ = √50; k = 2.5.
        float[] raw = {12f, (float) Math.sqrt(50)};
        float[] s1 = new float[1];
        float[] s2 = new float[1];
        assertThat(ProbedBatchNorm.shiftOnHost(raw, new float[] {2.5f}, 1, 1, 4, s1, s2)).isTrue();
        // Σ(x − 2.5) = 2; Σ(x − 2.5)² = 2.25 + 0.25 + 0.25 + 12.25 = 15.
        assertThat((double) s1[0]).isCloseTo(2.0, within(1e-5));
        assertThat((double) s2[0]).isCloseTo(15.0, within(1e-5));
    }

    /** One eval forward of a lone probed BN on N(mean, sd²) input with running mean k. */
    private static Probed probe(double mean, double sd, double k) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ProbedBatchNorm bn = new ProbedBatchNorm("test.bn", BatchNorm.builder().build());
            bn.initialize(manager, DataType.FLOAT32, new Shape(1, CHANNELS, POSITIONS));
            BnProbes probes = BnProbes.attach(bn);
            double[] shift = new double[CHANNELS];
            double[] var = new double[CHANNELS];
            Arrays.fill(shift, k);
            Arrays.fill(var, sd * sd);
            probes.setRunningStats(0, shift, var);
            BnMomentsCollector collector = BnMomentsCollector.attach(probes, false);

            Random random = new Random(7);
            float[] values = new float[SAMPLES * CHANNELS * POSITIONS];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (mean + sd * random.nextGaussian());
            }
            NDArray x = manager.create(values, new Shape(SAMPLES, CHANNELS, POSITIONS));
            Fixtures.evalForward(bn, manager, x);
            return new Probed(values, collector.moments(0), probes.exactPathBatches(0));
        }
    }

    private record Probed(float[] values, ChannelMoments moments, long exactBatches) {

        void assertMatchesBruteForce(double relativeVariance) {
            for (int c = 0; c < CHANNELS; c++) {
                double sum = 0;
                for (int n = 0; n < SAMPLES; n++) {
                    for (int p = 0; p < POSITIONS; p++) {
                        sum += values[(n * CHANNELS + c) * POSITIONS + p];
                    }
                }
                double mean = sum / (SAMPLES * POSITIONS);
                double squares = 0;
                for (int n = 0; n < SAMPLES; n++) {
                    for (int p = 0; p < POSITIONS; p++) {
                        double d = values[(n * CHANNELS + c) * POSITIONS + p] - mean;
                        squares += d * d;
                    }
                }
                double variance = squares / (SAMPLES * POSITIONS);
                assertThat(moments.mean(c)).as("channel %d mean", c)
                        .isCloseTo(mean, within(1e-5 * Math.sqrt(variance)));
                assertThat(moments.variance(c)).as("channel %d variance", c)
                        .isCloseTo(variance, within(relativeVariance * variance));
            }
        }
    }
}
