package io.varshift.core.calibration;

/**
 * The prediction-mix test: are a window's predicted-class counts drawn from the same distribution
 * as the held-out baseline's? Pearson's chi-square test of homogeneity on the 2×K table (window
 * counts, baseline counts), so that the baseline's own sampling error is part of the null; K − 1
 * degrees of freedom, over the classes seen in either row. A change here with no covariate signal
 * is label shift (the class mix changed), not changed inputs.
 */
public final class PredictionMix {

    private PredictionMix() {
    }

    /**
     * @return P(χ² ≥ observed) under homogeneity; 1 when fewer than two classes are seen
     * @throws IllegalArgumentException when the lengths differ, a count is negative or a row is empty
     */
    public static double pValue(long[] window, long[] baseline) {
        if (window.length != baseline.length) {
            throw new IllegalArgumentException("prediction mix: the window has " + window.length
                    + " classes but the baseline has " + baseline.length);
        }
        double n = 0;
        double m = 0;
        for (int k = 0; k < window.length; k++) {
            if (window[k] < 0 || baseline[k] < 0) {
                throw new IllegalArgumentException("prediction mix: class " + k + " has a negative count");
            }
            n += window[k];
            m += baseline[k];
        }
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("prediction mix: " + (n == 0 ? "the window" : "the baseline")
                    + " has no predictions");
        }
        double chi2 = 0;
        int seen = 0;
        for (int k = 0; k < window.length; k++) {
            double total = window[k] + baseline[k];
            if (total == 0) {
                continue;
            }
            seen++;
            double expectedWindow = total * n / (n + m);
            double expectedBaseline = total * m / (n + m);
            double dw = window[k] - expectedWindow;
            double db = baseline[k] - expectedBaseline;
            chi2 += dw * dw / expectedWindow + db * db / expectedBaseline;
        }
        return seen < 2 ? 1 : Distributions.chiSquareSurvival(chi2, seen - 1);
    }
}
