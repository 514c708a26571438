package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PredictionMixTest {

    @Test
    void twoByTwoTableMatchesTheHandComputedStatistic() {
        // Window 30/10, baseline 50/50: pooled share 80/140; chi-square = 3.36 (by hand), df 1.
        double expectedChi2 = 0;
        double[][] obs = {{30, 10}, {50, 50}};
        double[] rows = {40, 100};
        double[] cols = {80, 60};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                double e = rows[r] * cols[c] / 140;
                expectedChi2 += (obs[r][c] - e) * (obs[r][c] - e) / e;
            }
        }
        assertThat(PredictionMix.pValue(new long[] {30, 10}, new long[] {50, 50}))
                .isCloseTo(Distributions.chiSquareSurvival(expectedChi2, 1), within(1e-15));
    }

    @Test
    void windowsFromTheBaselineDistributionRejectAtTheNominalRate() {
        SplittableRandom random = new SplittableRandom(7);
        double[] pi = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        int trials = 20_000;
        int rejected = 0;
        for (int t = 0; t < trials; t++) {
            // Both rows are fresh draws: the test's null includes the baseline's own sampling error.
            if (PredictionMix.pValue(multinomial(random, pi, 256), multinomial(random, pi, 2500)) < 0.01) {
                rejected++;
            }
        }
        assertThat(rejected / (double) trials).isBetween(0.007, 0.013);
    }

    @Test
    void oneClassAtSixtyPercentIsFlagged() {
        SplittableRandom random = new SplittableRandom(8);
        double[] pi = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        double[] skewed = {0.6, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9, 0.4 / 9};
        assertThat(PredictionMix.pValue(multinomial(random, skewed, 256), multinomial(random, pi, 2500))).isLessThan(1e-10);
    }

    static long[] multinomial(SplittableRandom random, double[] p, int n) {
        long[] counts = new long[p.length];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();
            int k = 0;
            double c = p[0];
            while (u > c && k < p.length - 1) {
                c += p[++k];
            }
            counts[k]++;
        }
        return counts;
    }
}
