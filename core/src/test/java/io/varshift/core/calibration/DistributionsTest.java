package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DistributionsTest {

    @Test
    void chiSquareSurvivalMatchesTabulatedCriticalValues() {
        assertThat(Distributions.chiSquareSurvival(3.841458820694124, 1)).isCloseTo(0.05, within(1e-12));
        assertThat(Distributions.chiSquareSurvival(16.918977604620448, 9)).isCloseTo(0.05, within(1e-12));
        assertThat(Distributions.chiSquareSurvival(21.665994333461924, 9)).isCloseTo(0.01, within(1e-12));
        assertThat(Distributions.chiSquareSurvival(0, 4)).isEqualTo(1);
    }

    @Test
    void chiSquareWithTwoDegreesOfFreedomIsExponential() {
        for (double x : new double[] {0.1, 1, 5, 20, 100}) {
            assertThat(Distributions.chiSquareSurvival(x, 2)).isCloseTo(Math.exp(-x / 2), within(1e-14 + 1e-12 * Math.exp(-x / 2)));
        }
    }

    @Test
    void normalQuantileInvertsTheDistributionFunction() {
        assertThat(Distributions.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-12));
        assertThat(Distributions.normalQuantile(0.5)).isCloseTo(0, within(1e-14));
        for (double p : new double[] {1e-12, 1e-6, 0.01, 0.3, 0.7, 0.99, 1 - 1e-9}) {
            assertThat(Distributions.normalCdf(Distributions.normalQuantile(p))).isCloseTo(p, within(1e-12 * Math.max(1, p / 1e-3)));
        }
    }
}
