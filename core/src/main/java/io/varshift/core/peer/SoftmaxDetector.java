package io.varshift.core.peer;

import io.varshift.core.calibration.PredictionMix;
import java.util.Arrays;

/**
 * Black-box shift detection on the classifier's outputs ("Failing Loudly", Rabanser et al. 2019): a KS test
 * on the max-softmax confidences and a chi-square test on the predicted-class counts (the paper's BBSDh),
 * combined by Bonferroni over the two: p = min(1, 2·min(p_ks, p_chi)). The paper's BBSDs, a KS test on each
 * of the K softmax outputs, is {@link FeatureKsDetector} on the softmax rows.
 */
public final class SoftmaxDetector implements WindowDetector {

    private static final String NAME = "bbsd-softmax";
    /** How far a row of probabilities may sum from 1 (float rounding over many classes stays far below). */
    private static final double SUM_TOLERANCE = 1e-3;

    private final int classes;
    private final float[] sortedConfidences;
    private final long[] referenceCounts;
    private final long[] windowCounts;
    /** The last window's confidences (sorted once tested) and predicted classes. */
    private float[] windowConfidences = new float[0];
    private int[] windowPredictions = new int[0];

    /**
     * @param confidences each reference sample's largest softmax probability, in [0, 1]
     * @param predictions each reference sample's predicted class, in [0, classes)
     * @throws IllegalArgumentException when the arrays are empty or differ in length, or a value is out of range
     */
    public SoftmaxDetector(float[] confidences, int[] predictions, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException(NAME + ": classes = " + classes + " must be >= 2");
        }
        this.classes = classes;
        this.referenceCounts = new long[classes];
        this.windowCounts = new long[classes];
        int n = checkPredictions("reference", confidences, predictions);
        for (int i = 0; i < n; i++) {
            referenceCounts[predictions[i]]++;
        }
        this.sortedConfidences = confidences.clone();
        Arrays.sort(sortedConfidences);
    }

    /**
     * @param probabilities the reference's softmax outputs, row-major, {@code classes} to a row
     * @throws IllegalArgumentException when the rows are not whole, or a row is not a probability vector
     */
    public static SoftmaxDetector ofProbabilities(float[] probabilities, int classes) {
        int n = Rows.count(NAME, "reference", probabilities, classes);
        float[] confidences = new float[n];
        int[] predictions = new int[n];
        maxAndArgmax(probabilities, n, classes, "reference", confidences, predictions);
        return new SoftmaxDetector(confidences, predictions, classes);
    }

    /** Writes each row's largest probability and its class (the first of equals), checking the row sums to 1. */
    private static void maxAndArgmax(float[] probabilities, int rows, int classes, String what, float[] max,
            int[] argmax) {
        for (int i = 0; i < rows; i++) {
            int best = 0;
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                float p = probabilities[i * classes + k];
                sum += p;
                if (p > probabilities[i * classes + best]) {
                    best = k;
                }
            }
            if (!(Math.abs(sum - 1) <= SUM_TOLERANCE)) {
                throw new IllegalArgumentException(NAME + ": row " + i + " of the " + what + " sums to " + sum
                        + ", not 1; pass softmax probabilities, not logits");
            }
            max[i] = probabilities[i * classes + best];
            argmax[i] = best;
        }
    }

    private int checkPredictions(String what, float[] confidences, int[] predictions) {
        if (confidences.length == 0) {
            throw new IllegalArgumentException(NAME + ": the " + what + " is empty");
        }
        if (confidences.length != predictions.length) {
            throw new IllegalArgumentException(NAME + ": the " + what + " has " + confidences.length
                    + " confidences but " + predictions.length + " predictions");
        }
        for (int i = 0; i < confidences.length; i++) {
            if (!(confidences[i] >= 0 && confidences[i] <= 1)) {
                throw new IllegalArgumentException(NAME + ": confidence " + confidences[i] + " of " + what
                        + " sample " + i + " is not a probability");
            }
            if (predictions[i] < 0 || predictions[i] >= classes) {
                throw new IllegalArgumentException(NAME + ": prediction " + predictions[i] + " of " + what
                        + " sample " + i + " is not a class in [0, " + classes + ")");
            }
        }
        return confidences.length;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rowLength() {
        return classes;
    }

    /**
     * @param rows the window's softmax outputs, row-major, {@code classes} to a row
     * @throws IllegalArgumentException when the window is empty, not whole rows, or a row is not a probability vector
     */
    @Override
    public Outcome test(float[] rows) {
        int m = Rows.count(NAME, "window", rows, classes);
        ensureCapacity(m);
        maxAndArgmax(rows, m, classes, "window", windowConfidences, windowPredictions);
        countPredictions(windowPredictions, m);
        return outcome(m);
    }

    /**
     * @param confidences each window sample's largest softmax probability
     * @param predictions each window sample's predicted class
     * @throws IllegalArgumentException when the arrays are empty or differ in length, or a value is out of range
     */
    public Outcome test(float[] confidences, int[] predictions) {
        int m = checkPredictions("window", confidences, predictions);
        ensureCapacity(m);
        System.arraycopy(confidences, 0, windowConfidences, 0, m);
        countPredictions(predictions, m);
        return outcome(m);
    }

    private void ensureCapacity(int m) {
        if (windowConfidences.length < m) {
            windowConfidences = new float[m];
            windowPredictions = new int[m];
        }
    }

    private void countPredictions(int[] predicted, int m) {
        Arrays.fill(windowCounts, 0);
        for (int i = 0; i < m; i++) {
            windowCounts[predicted[i]]++;
        }
    }

    private Outcome outcome(int m) {
        Arrays.sort(windowConfidences, 0, m);
        double d = KolmogorovSmirnov.statistic(sortedConfidences, 0, sortedConfidences.length, windowConfidences, 0, m);
        double ks = KolmogorovSmirnov.pValue(d, sortedConfidences.length, m);
        double chiSquare = PredictionMix.pValue(windowCounts, referenceCounts);
        return new Outcome(Math.min(1, 2 * Math.min(ks, chiSquare)), d, ks, chiSquare);
    }

    /**
     * @param pValue min(1, 2·min(ksPValue, chiSquarePValue))
     * @param statistic the KS statistic D of the confidences
     * @param ksPValue the KS test's p-value on the max-softmax confidences
     * @param chiSquarePValue the chi-square homogeneity test's p-value on the predicted-class counts
     */
    public record Outcome(double pValue, double statistic, double ksPValue, double chiSquarePValue)
            implements WindowOutcome {
    }
}
