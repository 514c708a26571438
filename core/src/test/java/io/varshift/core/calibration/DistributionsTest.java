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
    @Test
    void studentTMatchesItsClosedFormsWithOneTwoAndThreeDegreesOfFreedom() {
        for (double t : new double[] {-30, -2.5, -0.3, 0, 0.7, 4, 50}) {
            // df 1 is Cauchy; df 2 and 3 have elementary distribution functions.
            assertThat(Distributions.studentTCdf(t, 1)).as("df 1, t %s", t)
                    .isCloseTo(0.5 + Math.atan(t) / Math.PI, within(1e-13));
            assertThat(Distributions.studentTCdf(t, 2)).as("df 2, t %s", t)
                    .isCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), within(1e-13));
            double u = t / Math.sqrt(3);
            assertThat(Distributions.studentTCdf(t, 3)).as("df 3, t %s", t)
                    .isCloseTo(0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI, within(1e-13));
        }
    }

    @Test
    void studentTQuantilesMatchTabulatedValuesAndTendToTheNormal() {
        assertThat(Distributions.studentTQuantile(0.975, 1)).isCloseTo(12.706204736174707, within(1e-9));
        assertThat(Distributions.studentTQuantile(0.975, 4)).isCloseTo(2.7764451051977987, within(1e-10));
        assertThat(Distributions.studentTQuantile(0.975, 9)).isCloseTo(2.2621571627409915, within(1e-10));
        assertThat(Distributions.studentTQuantile(0.025, 9)).isCloseTo(-2.2621571627409915, within(1e-10));
        assertThat(Distributions.studentTQuantile(0.975, 1e7)).isCloseTo(1.959963984540054, within(1e-5));
        for (double df : new double[] {1.5, 4.37, 20}) {
            for (double q : new double[] {0.6, 0.9, 0.995}) {
                assertThat(Distributions.studentTCdf(Distributions.studentTQuantile(q, df), df)).isCloseTo(q,
                        within(1e-11));
            }
        }
    }
}
