package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NullDistributionTest {

    private static double[] exponential(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -Math.log(1 - random.nextDouble());
        }
        return x;
    }

    @Test
    void tailOfExponentialReplicatesFollowsTheClosedFormFarBeyondTheData() {
        NullDistribution d = NullDistribution.of(exponential(20_000, 1));
        for (double x : new double[] {0.5, 1, 2, 3}) {
            assertThat(d.tailProbability(x)).as("x=%s", x).isCloseTo(Math.exp(-x), within(0.01));
        }
        // 1e-4 and 1e-6 lie beyond 20 000 replicates: the fitted tail still finds them within 10 %.
        for (double x : new double[] {Math.log(1e4), Math.log(1e6)}) {
            assertThat(d.tailProbability(x) / Math.exp(-x)).as("x=%s", x).isBetween(0.85, 1.15);
        }
    }

    @Test
    void upperQuantileInvertsTheTailProbability() {
        NullDistribution d = NullDistribution.of(exponential(5_000, 2));
        for (double p : new double[] {0.5, 0.2, 0.05, 1e-2, 1e-5}) {
            assertThat(d.tailProbability(d.upperQuantile(p))).isCloseTo(p, within(p * 1e-9 + 1e-12));
        }
        assertThat(d.tailProbability(-1)).isEqualTo(1);
    }

    @Test
    void jsonRoundTripKeepsEveryProbability() {
        NullDistribution d = NullDistribution.of(exponential(1_000, 3));
        NullDistribution back = NullDistribution.fromJson("test", d.toJson());
        for (double x = 0; x < 10; x += 0.37) {
            assertThat(back.tailProbability(x)).isEqualTo(d.tailProbability(x));
        }
    }

    @Test
    void constantReplicatesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> NullDistribution.of(new double[500])).hasMessageContaining("constant held-out data");
        assertThatThrownBy(() -> NullDistribution.of(new double[10])).hasMessageContaining("at least 200");
    }
}
