package io.varshift.core.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-feature KS detector against per-feature brute force, and its behaviour on shifted and clean windows. */
class FeatureKsDetectorTest {

    /** Standard normal rows, optionally shifted in one feature, rounded to a step (0 = unrounded) to force ties. */
    static float[] rows(SplittableRandom random, int n, int features, int shiftedFeature, double shift, double step) {
        float[] x = new float[n * features];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                double v = random.nextGaussian() + (f == shiftedFeature ? shift : 0);
                x[i * features + f] = (float) (step > 0 ? Math.rint(v / step) * step : v);
            }
        }
        return x;
    }

    private static double[] column(float[] rows, int features, int f) {
        double[] c = new double[rows.length / features];
        for (int i = 0; i < c.length; i++) {
            c[i] = rows[i * features + f];
        }
        return c;
    }

    @Test
    void bonferroniPValueMatchesThePerFeatureTests() {
        SplittableRandom random = new SplittableRandom(3);
        int features = 6;
        float[] reference = rows(random, 300, features, -1, 0, 0.25);
        float[] window = rows(random, 40, features, 3, 0.5, 0.25);
        double minP = 1;
        double maxD = 0;
        int worst = -1;
        for (int f = 0; f < features; f++) {
            double d = KolmogorovSmirnovTest.bruteForceStatistic(column(reference, features, f),
                    column(window, features, f));
            double p = KolmogorovSmirnov.pValue(d, 300, 40);
            if (d > maxD) {
                maxD = d;
                worst = f;
            }
            minP = Math.min(minP, p);
        }

        FeatureKsDetector.Outcome outcome = new FeatureKsDetector(reference, features).test(window);

        assertThat(outcome.statistic()).isCloseTo(maxD, within(1e-15));
        assertThat(outcome.feature()).isEqualTo(worst);
        assertThat(outcome.minFeaturePValue()).isCloseTo(minP, within(1e-15));
        assertThat(outcome.pValue()).isCloseTo(features * minP, within(1e-14)).isLessThan(1);
    }

    @Test
    void aWindowAfterALargerOneIsTestedOnItsOwnRows() {
        SplittableRandom random = new SplittableRandom(4);
        float[] reference = rows(random, 500, 5, -1, 0, 0.5);
        float[] large = rows(random, 90, 5, 0, 2, 0.5);
        float[] small = rows(random, 30, 5, 2, 0.7, 0.5);
        FeatureKsDetector reused = new FeatureKsDetector(reference, 5);
        reused.test(large);

        assertThat(reused.test(small)).isEqualTo(new FeatureKsDetector(reference, 5).test(small));
    }

    @Test
    void aMeanShiftInOneOfTwoHundredFeaturesIsDetected() {
        SplittableRandom random = new SplittableRandom(5);
        FeatureKsDetector detector = new FeatureKsDetector(rows(random, 2000, 200, -1, 0, 0), 200);

        FeatureKsDetector.Outcome outcome = detector.test(rows(random, 200, 200, 117, 1.0, 0));

        assertThat(outcome.pValue()).isLessThan(1e-6);
        assertThat(outcome.feature()).isEqualTo(117);
    }

    @Test
    void windowsFromTheReferenceDistributionAreMostlyNotFlagged() {
        SplittableRandom random = new SplittableRandom(6);
        FeatureKsDetector detector = new FeatureKsDetector(rows(random, 2000, 200, -1, 0, 0), 200);
        int flagged = 0;
        for (int t = 0; t < 50; t++) {
            flagged += detector.test(rows(random, 200, 200, -1, 0, 0)).pValue() < 0.05 ? 1 : 0;
        }
        // Bonferroni keeps the family-wise rate at or below 5%: about 2.5 of 50 expected.
        assertThat(flagged).isLessThanOrEqualTo(8);
    }

    @Test
    void windowsThatAreNotWholeRowsOrHoldNaNAreRefused() {
        FeatureKsDetector detector = new FeatureKsDetector(new float[] {1, 2, 3, 4, 5, 6}, 3);

        assertThatThrownBy(() -> detector.test(new float[] {1, 2, 3, 4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 4 floats, not a multiple of the row length 3");
        assertThatThrownBy(() -> detector.test(new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window is empty");
        assertThatThrownBy(() -> detector.test(new float[] {1, 2, 3, 4, Float.NaN, 6}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN in row 1, column 1");
        assertThatThrownBy(() -> new FeatureKsDetector(new float[] {1, 2, 3, 4, 5}, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference has 5 floats");
    }
}
