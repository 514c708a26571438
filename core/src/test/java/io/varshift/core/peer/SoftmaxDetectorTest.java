package io.varshift.core.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.calibration.PredictionMix;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** BBSD on softmax outputs: the combined p against its two tests run by hand, and which test catches which shift. */
class SoftmaxDetectorTest {

    private static final int CLASSES = 5;

    /** Softmax rows of Gaussian logits with a class-dependent offset, so classes and confidences vary. */
    private static float[] softmaxRows(SplittableRandom random, int n, double temperature) {
        float[] rows = new float[n * CLASSES];
        double[] logits = new double[CLASSES];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < CLASSES; k++) {
                logits[k] = (random.nextGaussian() * 2 + 0.3 * k) / temperature;
                max = Math.max(max, logits[k]);
            }
            double sum = 0;
            for (int k = 0; k < CLASSES; k++) {
                logits[k] = Math.exp(logits[k] - max);
                sum += logits[k];
            }
            for (int k = 0; k < CLASSES; k++) {
                rows[i * CLASSES + k] = (float) (logits[k] / sum);
            }
        }
        return rows;
    }

    private static float[] confidences(float[] rows) {
        float[] c = new float[rows.length / CLASSES];
        for (int i = 0; i < c.length; i++) {
            c[i] = rows[i * CLASSES + argmax(rows, i)];
        }
        return c;
    }

    private static int[] predictions(float[] rows) {
        int[] p = new int[rows.length / CLASSES];
        for (int i = 0; i < p.length; i++) {
            p[i] = argmax(rows, i);
        }
        return p;
    }

    private static int argmax(float[] rows, int i) {
        int best = 0;
        for (int k = 1; k < CLASSES; k++) {
            best = rows[i * CLASSES + k] > rows[i * CLASSES + best] ? k : best;
        }
        return best;
    }

    private static long[] counts(int[] predictions) {
        long[] counts = new long[CLASSES];
        for (int p : predictions) {
            counts[p]++;
        }
        return counts;
    }

    @Test
    void combinedPValueIsBonferroniOverTheKsAndChiSquareTests() {
        SplittableRandom random = new SplittableRandom(21);
        float[] reference = softmaxRows(random, 1000, 1);
        float[] window = softmaxRows(random, 200, 1.3);
        float[] referenceConfidences = confidences(reference);
        float[] windowConfidences = confidences(window);
        Arrays.sort(referenceConfidences);
        Arrays.sort(windowConfidences);
        double d = KolmogorovSmirnov.statistic(referenceConfidences, windowConfidences);
        double ks = KolmogorovSmirnov.pValue(d, 1000, 200);
        double chiSquare = PredictionMix.pValue(counts(predictions(window)), counts(predictions(reference)));

        SoftmaxDetector.Outcome outcome = SoftmaxDetector.ofProbabilities(reference, CLASSES).test(window);

        assertThat(outcome.statistic()).isEqualTo(d);
        assertThat(outcome.ksPValue()).isEqualTo(ks);
        assertThat(outcome.chiSquarePValue()).isEqualTo(chiSquare);
        assertThat(outcome.pValue()).isCloseTo(Math.min(1, 2 * Math.min(ks, chiSquare)), within(1e-15));
    }

    @Test
    void probabilityRowsAndTheirMaxAndArgmaxGiveTheSameOutcome() {
        SplittableRandom random = new SplittableRandom(22);
        float[] reference = softmaxRows(random, 500, 1);
        float[] window = softmaxRows(random, 100, 1);
        SoftmaxDetector fromRows = SoftmaxDetector.ofProbabilities(reference, CLASSES);
        SoftmaxDetector fromPredictions = new SoftmaxDetector(confidences(reference), predictions(reference), CLASSES);

        assertThat(fromRows.test(window))
                .isEqualTo(fromPredictions.test(confidences(window), predictions(window)));
    }

    @Test
    void aWindowOfOneClassIsCaughtByTheChiSquare() {
        SplittableRandom random = new SplittableRandom(23);
        float[] reference = softmaxRows(random, 1000, 1);
        float[] referenceConfidences = confidences(reference);
        SoftmaxDetector detector = new SoftmaxDetector(referenceConfidences, predictions(reference), CLASSES);
        // Confidences resampled from the reference, every prediction class 2.
        float[] confidences = new float[200];
        int[] predictions = new int[200];
        for (int i = 0; i < 200; i++) {
            confidences[i] = referenceConfidences[random.nextInt(1000)];
            predictions[i] = 2;
        }

        SoftmaxDetector.Outcome outcome = detector.test(confidences, predictions);

        assertThat(outcome.chiSquarePValue()).isLessThan(1e-10);
        assertThat(outcome.ksPValue()).isGreaterThan(0.01);
        assertThat(outcome.pValue()).isEqualTo(2 * outcome.chiSquarePValue());
    }

    @Test
    void loweredConfidencesAreCaughtByTheKs() {
        SplittableRandom random = new SplittableRandom(24);
        float[] reference = softmaxRows(random, 1000, 1);
        float[] referenceConfidences = confidences(reference);
        int[] referencePredictions = predictions(reference);
        SoftmaxDetector detector = new SoftmaxDetector(referenceConfidences, referencePredictions, CLASSES);
        // Reference samples resampled with their class, their confidence scaled down by a fifth.
        float[] confidences = new float[200];
        int[] predictions = new int[200];
        for (int i = 0; i < 200; i++) {
            int s = random.nextInt(1000);
            confidences[i] = referenceConfidences[s] * 0.8f;
            predictions[i] = referencePredictions[s];
        }

        SoftmaxDetector.Outcome outcome = detector.test(confidences, predictions);

        assertThat(outcome.ksPValue()).isLessThan(1e-6);
        assertThat(outcome.chiSquarePValue()).isGreaterThan(0.01);
        assertThat(outcome.pValue()).isEqualTo(2 * outcome.ksPValue());
    }

    @Test
    void logitsUnknownClassesAndMismatchedLengthsAreRefused() {
        SoftmaxDetector detector = new SoftmaxDetector(new float[] {0.9f, 0.6f}, new int[] {0, 1}, 2);

        assertThatThrownBy(() -> detector.test(new float[] {2.5f, -1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0 of the window sums to 1.5, not 1; pass softmax probabilities, not logits");
        assertThatThrownBy(() -> detector.test(new float[] {0.7f}, new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prediction 2 of window sample 0 is not a class in [0, 2)");
        assertThatThrownBy(() -> detector.test(new float[] {0.7f, 0.8f}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 confidences but 1 predictions");
        assertThatThrownBy(() -> detector.test(new float[] {0.2f, 0.3f, 0.5f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of the row length 2");
    }
}
