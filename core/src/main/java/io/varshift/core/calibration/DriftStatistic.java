package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;

/**
 * The per-window drift statistic of one layer against its clean baseline (the held-out data's
 * per-channel mean m_c and variance b_c):
 * D = mean_c[ln((v_c+ε)/(b_c+ε))²] + mean_c[(μ_c−m_c)²/(b_c+ε)].
 * The first term grows for variance shifts in either direction, the second for mean shifts.
 */
final class DriftStatistic {

    /** BatchNorm's default ε (DJL and PyTorch): variance differences below it do not change the layer's output. */
    static final double EPSILON = 1e-5;

    private DriftStatistic() {
    }

    static double of(ChannelMoments window, double[] baselineMean, double[] baselineVar) {
        int channels = window.channels();
        if (channels != baselineMean.length) {
            throw new IllegalArgumentException("drift statistic: window has " + channels
                    + " channels but the calibration baseline has " + baselineMean.length);
        }
        if (window.count() == 0) {
            throw new IllegalArgumentException("drift statistic: the window is empty (count 0)");
        }
        double varianceTerm = 0;
        double meanTerm = 0;
        for (int c = 0; c < channels; c++) {
            double reference = baselineVar[c] + EPSILON;
            double logRatio = Math.log((window.variance(c) + EPSILON) / reference);
            double meanDelta = window.mean(c) - baselineMean[c];
            varianceTerm += logRatio * logRatio;
            meanTerm += meanDelta * meanDelta / reference;
        }
        return (varianceTerm + meanTerm) / channels;
    }

    /** Wilson–Hilferty: the cube root of a chi-square-like quadratic form is close to normal. */
    static double transform(double d) {
        return Math.cbrt(d);
    }
}
