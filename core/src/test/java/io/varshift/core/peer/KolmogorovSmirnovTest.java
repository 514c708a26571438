package io.varshift.core.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * The KS statistic against the ECDFs evaluated at every data point, the Kolmogorov survival function against
 * its series and scipy, and the p-value's size under the null by simulation.
 */
class KolmogorovSmirnovTest {

    /** sup |F_a − F_b| taken at every value of either sample, counting values at or below it. */
    static double bruteForceStatistic(double[] a, double[] b) {
        double d = 0;
        for (double[] points : List.of(a, b)) {
            for (double v : points) {
                d = Math.max(d, Math.abs(atOrBelow(a, v) / a.length - atOrBelow(b, v) / b.length));
            }
        }
        return d;
    }

    private static double atOrBelow(double[] sample, double v) {
        int count = 0;
        for (double x : sample) {
            if (x <= v) {
                count++;
            }
        }
        return count;
    }

    /** Halves of small integers, sorted: ties within and across the samples are common. */
    private static double[] sorted(List<Integer> values) {
        return values.stream().mapToDouble(v -> v / 2.0).sorted().toArray();
    }

    private static float[] toFloat(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    @Property(tries = 300)
    void statisticIsTheLargestEcdfGapOverEveryDataPoint(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -6, max = 6) Integer> first,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -6, max = 6) Integer> second) {
        double[] a = sorted(first);
        double[] b = sorted(second);
        double expected = bruteForceStatistic(a, b);
        assertThat(KolmogorovSmirnov.statistic(a, b)).isCloseTo(expected, within(1e-15));
        assertThat(KolmogorovSmirnov.statistic(toFloat(a), toFloat(b))).isCloseTo(expected, within(1e-15));
    }

    @Test
    void theStatisticAgainstTheRestFollowsFromTheStatisticAgainstTheWhole() {
        SplittableRandom random = new SplittableRandom(21);
        for (int trial = 0; trial < 50; trial++) {
            // Rounded values, so that ties between the window and the rest are common.
            double[] all = new double[60];
            for (int i = 0; i < all.length; i++) {
                all[i] = Math.round(random.nextGaussian() * 4) / 4.0;
            }
            int m = 1 + random.nextInt(all.length - 1);
            double[] window = Arrays.copyOfRange(all, 0, m);
            double[] rest = Arrays.copyOfRange(all, m, all.length);
            double[] sortedAll = all.clone();
            Arrays.sort(sortedAll);
            Arrays.sort(window);
            Arrays.sort(rest);
            assertThat(KolmogorovSmirnov.leaveOutStatistic(KolmogorovSmirnov.statistic(window, sortedAll), m,
                    all.length)).isCloseTo(KolmogorovSmirnov.statistic(window, rest), within(1e-12));
        }
        assertThatThrownBy(() -> KolmogorovSmirnov.leaveOutStatistic(0.1, 5, 5)).hasMessageContaining("leaves no rest");
    }

    @Test
    void aTieAcrossTheSamplesMovesBothDistributionFunctionsBeforeTheGapIsRead() {
        // At 2 both ECDFs reach 3/4; reading the gap after a's 2s but before b's would give 3/4.
        double[] a = {1, 2, 2, 3};
        double[] b = {2, 2, 2, 4};
        assertThat(KolmogorovSmirnov.statistic(a, b)).isEqualTo(0.25);
        assertThat(KolmogorovSmirnov.statistic(b, a)).isEqualTo(0.25);
        assertThat(KolmogorovSmirnov.statistic(a, a)).isZero();
    }

    @Test
    void aRangeOfAnArrayIsTestedAsItsOwnSample() {
        float[] packed = {9, 9, 1, 2, 3, 9};
        float[] other = {0, 2.5f, 2.5f, 7};
        assertThat(KolmogorovSmirnov.statistic(packed, 2, 5, other, 1, 3))
                .isEqualTo(KolmogorovSmirnov.statistic(new float[] {1, 2, 3}, new float[] {2.5f, 2.5f}));
        assertThat(KolmogorovSmirnov.statistic(new float[] {1, 2, 3}, new float[] {2.5f, 2.5f}))
                .isCloseTo(2.0 / 3, within(1e-15));
    }

    @Test
    void survivalMatchesTheKolmogorovDistribution() {
        // Q(λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²) summed to 200 terms in double; the same as scipy's kstwobign.sf.
        assertThat(KolmogorovSmirnov.survival(0.5)).isCloseTo(0.9639452436648751, within(1e-14));
        assertThat(KolmogorovSmirnov.survival(1.0)).isCloseTo(0.26999967167735456, within(1e-14));
        assertThat(KolmogorovSmirnov.survival(1.36)).isCloseTo(0.049485876755377876, within(1e-14));
        assertThat(KolmogorovSmirnov.survival(2.0)).isCloseTo(0.0006709252557796953, within(1e-16));
        assertThat(KolmogorovSmirnov.survival(3.0)).isCloseTo(3.045995948942526e-08, Percentage.withPercentage(1e-9));
        assertThat(KolmogorovSmirnov.survival(0.2)).isCloseTo(0.999999999999495, within(1e-15));
        assertThat(KolmogorovSmirnov.survival(0)).isEqualTo(1);
        assertThat(KolmogorovSmirnov.survival(0.01)).isEqualTo(1);
        assertThat(KolmogorovSmirnov.survival(40)).isZero();
    }

    @Test
    void survivalFallsSmoothlyAcrossTheSwitchBetweenItsTwoSeries() {
        double previous = 1;
        for (double lambda = 0.05; lambda < 3; lambda += 0.01) {
            double q = KolmogorovSmirnov.survival(lambda);
            assertThat(q).isLessThanOrEqualTo(previous);
            previous = q;
        }
        // Either side of the switch at λ = 1, the value agrees with the other series summed here.
        for (double lambda : new double[] {0.7, 0.99, 1.01, 1.3}) {
            assertThat(KolmogorovSmirnov.survival(lambda)).as("λ = %s", lambda)
                    .isCloseTo(alternatingSeries(lambda), within(1e-14))
                    .isCloseTo(complementarySeries(lambda), within(1e-14));
        }
    }

    private static double alternatingSeries(double lambda) {
        double sum = 0;
        for (int k = 1; k <= 200; k++) {
            sum += (k % 2 == 1 ? 2 : -2) * Math.exp(-2.0 * k * k * lambda * lambda);
        }
        return sum;
    }

    private static double complementarySeries(double lambda) {
        double sum = 0;
        for (int k = 1; k <= 200; k++) {
            sum += Math.exp(-(2 * k - 1) * (2 * k - 1) * Math.PI * Math.PI / (8 * lambda * lambda));
        }
        return 1 - Math.sqrt(2 * Math.PI) / lambda * sum;
    }

    @Test
    void pValueAppliesStephensCorrectionToTheEffectiveSampleSize() {
        // scipy.stats.kstwobign.sf((en + 0.12 + 0.11/en)·D), en = sqrt(nm/(n+m)): ks_2samp's asymptotic mode before 1.5.
        assertThat(KolmogorovSmirnov.pValue(0.1, 200, 200)).isCloseTo(0.25622118507010405, within(1e-13));
        assertThat(KolmogorovSmirnov.pValue(0.08, 5000, 256)).isCloseTo(0.0841554669311319, within(1e-13));
        assertThat(KolmogorovSmirnov.pValue(0.3, 100, 37)).isCloseTo(0.011844897853669203, within(1e-13));
        assertThat(KolmogorovSmirnov.pValue(0.5, 10, 12)).isCloseTo(0.08729785202156963, within(1e-13));
        assertThat(KolmogorovSmirnov.pValue(0, 10, 12)).isEqualTo(1);
    }

    @Test
    void pValueIsUniformUnderTheNull() {
        // The exact null rates of these thresholds at n = m = 200 are 0.052 and 0.466 (D lives on a lattice of 1/200).
        SplittableRandom random = new SplittableRandom(7);
        int trials = 2000;
        int below005 = 0;
        int below05 = 0;
        double[] a = new double[200];
        double[] b = new double[200];
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < 200; i++) {
                a[i] = random.nextGaussian();
                b[i] = random.nextGaussian();
            }
            Arrays.sort(a);
            Arrays.sort(b);
            double p = KolmogorovSmirnov.pValue(KolmogorovSmirnov.statistic(a, b), 200, 200);
            below005 += p < 0.05 ? 1 : 0;
            below05 += p < 0.5 ? 1 : 0;
        }
        // 3.5 binomial standard deviations around the exact rates.
        assertThat(below005 / (double) trials).isBetween(0.035, 0.070);
        assertThat(below05 / (double) trials).isBetween(0.427, 0.505);
    }

    @Test
    void emptyOrNaNSamplesAndBadSizesAreRefused() {
        assertThatThrownBy(() -> KolmogorovSmirnov.statistic(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first sample is empty");
        assertThatThrownBy(() -> KolmogorovSmirnov.statistic(new float[] {1}, new float[] {2, Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("second sample holds NaN");
        assertThatThrownBy(() -> KolmogorovSmirnov.pValue(0.2, 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n = 0, m = 5");
        assertThatThrownBy(() -> KolmogorovSmirnov.pValue(1.5, 5, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("D = 1.5");
        assertThatThrownBy(() -> KolmogorovSmirnov.survival(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda = -1.0");
    }
}
