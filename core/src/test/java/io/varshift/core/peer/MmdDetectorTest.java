package io.varshift.core.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The MMD detector against a double loop over all pairs, its median bandwidth on a hand-computed case, and its
 * permutation p-value against full enumeration of the relabellings, under the null and under a mean shift.
 */
class MmdDetectorTest {

    private static float[] gaussianRows(SplittableRandom random, int n, int features, double shift) {
        float[] x = new float[n * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() + shift);
        }
        return x;
    }

    private static double kernel(float[] a, int i, float[] b, int j, int features, double sigma) {
        double d2 = 0;
        for (int f = 0; f < features; f++) {
            double diff = (double) a[i * features + f] - b[j * features + f];
            d2 += diff * diff;
        }
        return Math.exp(-d2 / (2 * sigma * sigma));
    }

    private static double meanKernel(float[] a, float[] b, int features, double sigma) {
        int n = a.length / features;
        int m = b.length / features;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                sum += kernel(a, i, b, j, features, sigma);
            }
        }
        return sum / ((double) n * m);
    }

    /** The biased MMD² by its definition: mean K_xx + mean K_yy − 2 mean K_xy over all ordered pairs. */
    private static double bruteMmd2(float[] x, float[] y, int features, double sigma) {
        return meanKernel(x, x, features, sigma) + meanKernel(y, y, features, sigma)
                - 2 * meanKernel(x, y, features, sigma);
    }

    @Test
    void mmd2MatchesTheDoubleLoopOverAllPairs() {
        SplittableRandom random = new SplittableRandom(11);
        float[] reference = gaussianRows(random, 40, 3, 0);
        float[] window = gaussianRows(random, 15, 3, 0.4);
        MmdDetector detector = new MmdDetector(reference, 3, 100, 10, 1);

        assertThat(detector.referenceRows()).isEqualTo(40);
        assertThat(detector.mmd2(window)).isCloseTo(bruteMmd2(reference, window, 3, detector.sigma()), within(1e-13));
        assertThat(detector.permutationTest(window, 10, new Random(2)).statistic())
                .isCloseTo(bruteMmd2(reference, window, 3, detector.sigma()), within(1e-13));
    }

    @Test
    void aWindowOfReferenceRowsIsMeasuredAgainstTheRestOfTheReference() {
        SplittableRandom random = new SplittableRandom(12);
        float[] reference = gaussianRows(random, 40, 3, 0);
        MmdDetector detector = new MmdDetector(reference, 3, 100, 10, 1);
        // Rows 5..16 as the window, the other 28 as the rest.
        float[] window = java.util.Arrays.copyOfRange(reference, 5 * 3, 17 * 3);
        float[] rest = new float[28 * 3];
        System.arraycopy(reference, 0, rest, 0, 5 * 3);
        System.arraycopy(reference, 17 * 3, rest, 5 * 3, 23 * 3);

        assertThat(detector.leaveOutMmd2(window)).isCloseTo(bruteMmd2(rest, window, 3, detector.sigma()),
                within(1e-12));
        assertThatThrownBy(() -> detector.leaveOutMmd2(reference)).hasMessageContaining("leaves nothing");
    }

    @Test
    void mmd2AndSigmaCoverEveryReferencePairAcrossBlocks() {
        SplittableRandom random = new SplittableRandom(19);
        // 600 rows: the reference is paired with itself in blocks of 256.
        float[] reference = gaussianRows(random, 600, 2, 0);
        float[] window = gaussianRows(random, 20, 2, 0.3);
        MmdDetector detector = new MmdDetector(reference, 2, 600, 10, 1);
        double[] squared = new double[600 * 599 / 2];
        int p = 0;
        for (int i = 0; i < 600; i++) {
            for (int j = i + 1; j < 600; j++) {
                double dx = (double) reference[2 * i] - reference[2 * j];
                double dy = (double) reference[2 * i + 1] - reference[2 * j + 1];
                squared[p++] = dx * dx + dy * dy;
            }
        }
        Arrays.sort(squared);

        assertThat(detector.sigma()).isEqualTo(Math.sqrt(squared[(squared.length - 1) / 2] / 2));
        assertThat(detector.mmd2(window)).isCloseTo(bruteMmd2(reference, window, 2, detector.sigma()), within(1e-13));
    }

    @Test
    void theReferenceAgainstItselfHasZeroMmd() {
        float[] reference = gaussianRows(new SplittableRandom(12), 60, 4, 0);

        assertThat(new MmdDetector(reference, 4, 100, 10, 1).mmd2(reference)).isCloseTo(0, within(1e-14));
    }

    @Test
    void sigmaSquaredIsHalfTheLowerMedianOfThePairwiseSquaredDistances() {
        // Rows 0, 1, 3, 7: squared distances 1, 4, 9, 16, 36, 49; the lower median of six is 9.
        MmdDetector detector = new MmdDetector(new float[] {0, 1, 3, 7}, 1, 10, 1, 1);

        assertThat(detector.sigma()).isCloseTo(Math.sqrt(4.5), within(1e-15));
    }

    @Test
    void theReferenceIsSubsampledToReferenceSizeReproduciblyBySeed() {
        float[] reference = gaussianRows(new SplittableRandom(13), 200, 2, 0);
        float[] window = gaussianRows(new SplittableRandom(14), 20, 2, 0);
        MmdDetector detector = new MmdDetector(reference, 2, 50, 10, 9);

        assertThat(detector.referenceRows()).isEqualTo(50);
        assertThat(detector.mmd2(window)).isEqualTo(new MmdDetector(reference, 2, 50, 10, 9).mmd2(window))
                .isNotEqualTo(new MmdDetector(reference, 2, 50, 10, 10).mmd2(window));
        assertThat(detector.test(window)).isEqualTo(new MmdDetector(reference, 2, 50, 10, 9).test(window));
    }

    /** p over every choice of which pooled rows are the window, the observed choice included. */
    private static double exactPermutationPValue(float[] reference, float[] window, int features, double sigma) {
        int n = reference.length / features;
        int m = window.length / features;
        float[] pooled = new float[reference.length + window.length];
        System.arraycopy(reference, 0, pooled, 0, reference.length);
        System.arraycopy(window, 0, pooled, reference.length, window.length);
        double observed = bruteMmd2(reference, window, features, sigma);
        int atLeast = 0;
        int labellings = 0;
        for (int mask = 0; mask < 1 << (n + m); mask++) {
            if (Integer.bitCount(mask) != m) {
                continue;
            }
            float[] x = new float[reference.length];
            float[] y = new float[window.length];
            int xi = 0;
            int yi = 0;
            for (int r = 0; r < n + m; r++) {
                if ((mask >> r & 1) == 1) {
                    System.arraycopy(pooled, r * features, y, yi++ * features, features);
                } else {
                    System.arraycopy(pooled, r * features, x, xi++ * features, features);
                }
            }
            labellings++;
            atLeast += bruteMmd2(x, y, features, sigma) >= observed - 1e-12 ? 1 : 0;
        }
        return atLeast / (double) labellings;
    }

    @Test
    void permutationPValueConvergesToTheExactPermutationDistribution() {
        SplittableRandom random = new SplittableRandom(15);
        // A window smaller than the reference (relabels the window side) and one larger (relabels the reference side).
        for (int[] sizes : new int[][] {{6, 3}, {3, 6}}) {
            float[] reference = gaussianRows(random, sizes[0], 2, 0);
            float[] window = gaussianRows(random, sizes[1], 2, 0.5);
            MmdDetector detector = new MmdDetector(reference, 2, 100, 1, 1);
            double exact = exactPermutationPValue(reference, window, 2, detector.sigma());

            double sampled = detector.permutationTest(window, 20_000, new SplittableRandom(16)).pValue();

            // The sampled p has a standard deviation below 0.0036 at 20 000 permutations.
            assertThat(exact).isBetween(0.05, 0.95);
            assertThat(sampled).as("sizes %d, %d", sizes[0], sizes[1]).isCloseTo(exact, within(0.015));
        }
    }

    /** A permutation p-value from the full pooled kernel matrix, relabelling by shuffles. */
    private static double brutePermutationPValue(float[] reference, float[] window, int features, double sigma,
            int permutations, SplittableRandom random) {
        int n = reference.length / features;
        int m = window.length / features;
        int pooled = n + m;
        float[] rows = new float[reference.length + window.length];
        System.arraycopy(reference, 0, rows, 0, reference.length);
        System.arraycopy(window, 0, rows, reference.length, window.length);
        double[] k = new double[pooled * pooled];
        for (int i = 0; i < pooled; i++) {
            for (int j = 0; j < pooled; j++) {
                k[i * pooled + j] = kernel(rows, i, rows, j, features, sigma);
            }
        }
        int[] order = new int[pooled];
        for (int i = 0; i < pooled; i++) {
            order[i] = i;
        }
        double observed = labelledMmd2(k, order, n, m);
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            for (int i = pooled - 1; i > 0; i--) {
                int pick = random.nextInt(i + 1);
                int swap = order[pick];
                order[pick] = order[i];
                order[i] = swap;
            }
            atLeast += labelledMmd2(k, order, n, m) >= observed ? 1 : 0;
        }
        return (1.0 + atLeast) / (1.0 + permutations);
    }

    /** The V-statistic when the pooled rows order[0, n) are the reference and order[n, n + m) the window. */
    private static double labelledMmd2(double[] k, int[] order, int n, int m) {
        int pooled = n + m;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int a = 0; a < pooled; a++) {
            for (int b = 0; b < pooled; b++) {
                double v = k[order[a] * pooled + order[b]];
                if (a < n && b < n) {
                    xx += v;
                } else if (a >= n && b >= n) {
                    yy += v;
                } else {
                    xy += v;
                }
            }
        }
        return xx / ((double) n * n) + yy / ((double) m * m) - xy / ((double) n * m);
    }

    @Test
    void permutationPValueOnAReferenceOfSeveralBlocksAgreesWithBruteForce() {
        SplittableRandom random = new SplittableRandom(26);
        float[] reference = gaussianRows(random, 300, 2, 0);
        float[] window = gaussianRows(random, 100, 2, 0);
        MmdDetector detector = new MmdDetector(reference, 2, 300, 1, 1);
        double brute = brutePermutationPValue(reference, window, 2, detector.sigma(), 2000, new SplittableRandom(21));

        double fast = detector.permutationTest(window, 2000, new SplittableRandom(22)).pValue();

        // Two estimates of one p, each with a standard deviation below 0.012.
        assertThat(brute).isBetween(0.1, 0.9);
        assertThat(fast).isCloseTo(brute, within(0.06));
    }

    @Test
    void permutationPValuesAreRoughlyUniformUnderTheNull() {
        SplittableRandom random = new SplittableRandom(17);
        int trials = 200;
        int below01 = 0;
        int below05 = 0;
        for (int t = 0; t < trials; t++) {
            MmdDetector detector = new MmdDetector(gaussianRows(random, 80, 4, 0), 4, 80, 99, t);
            double p = detector.test(gaussianRows(random, 30, 4, 0)).pValue();
            below01 += p <= 0.1 ? 1 : 0;
            below05 += p <= 0.5 ? 1 : 0;
        }
        // About 3.5 binomial standard deviations around 0.1 and 0.5.
        assertThat(below01 / (double) trials).isBetween(0.03, 0.175);
        assertThat(below05 / (double) trials).isBetween(0.375, 0.625);
    }

    @Test
    void aMeanShiftGetsTheSmallestPermutationPValue() {
        SplittableRandom random = new SplittableRandom(18);
        MmdDetector detector = new MmdDetector(gaussianRows(random, 200, 8, 0), 8, 200, 199, 1);

        MmdDetector.Outcome outcome = detector.test(gaussianRows(random, 50, 8, 1.0));

        assertThat(outcome.pValue()).isEqualTo(1 / 200.0);
        assertThat(outcome.statistic()).isPositive();
    }

    @Test
    void badWindowsAndSettingsAreRefused() {
        float[] reference = {0, 1, 2, 3, 4, 6};
        MmdDetector detector = new MmdDetector(reference, 2, 10, 5, 1);

        assertThatThrownBy(() -> detector.mmd2(new float[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 3 floats, not a multiple of the row length 2");
        assertThatThrownBy(() -> detector.test(new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window is empty");
        assertThatThrownBy(() -> detector.permutationTest(new float[] {1, 2}, 0, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permutations = 0");
        assertThatThrownBy(() -> new MmdDetector(reference, 2, 1, 5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("referenceSize = 1");
        assertThatThrownBy(() -> new MmdDetector(new float[] {1, 1, 1, 1, 1, 1}, 2, 10, 5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("median squared distance");
    }
}
