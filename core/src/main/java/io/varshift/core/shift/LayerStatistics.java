package io.varshift.core.shift;

import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;

/**
 * One layer's statistics for one window of live traffic, against what the layer stored in training.
 *
 * @param varianceRatio the paper's statistic: channel-averaged live variance over channel-averaged
 *     stored running variance (real/moving, arXiv:1801.05134 Sec. 4)
 * @param varianceShift max(r, 1/r) of {@code varianceRatio}, the form the paper plots
 * @param meanChannelShift mean over channels of max(r_c, 1/r_c), r_c = (v_c+ε)/(σ²_c+ε)
 * @param maxChannelShift max over channels of max(r_c, 1/r_c)
 * @param meanShift mean over channels of |μ_c − running mean_c| / sqrt(running var_c)
 */
public record LayerStatistics(double varianceRatio, double varianceShift, double meanChannelShift,
        double maxChannelShift, double meanShift) {

    /** BatchNorm's ε: the layer normalises by sqrt(var + ε), so per-channel ratios use the same floor. */
    static final double EPSILON = 1e-5;

    /**
     * @param window the window's moments of the layer input
     * @param ref the layer's stored statistics
     * @throws IllegalArgumentException when the window is empty or the channel counts differ
     */
    public static LayerStatistics of(ChannelMoments window, LayerReference ref) {
        check(window, ref);
        int channels = ref.channels();
        double[] runningMean = ref.runningMean();
        double[] runningVar = ref.runningVar();
        double liveSum = 0;
        double storedSum = 0;
        double shiftSum = 0;
        double shiftMax = 0;
        double meanShiftSum = 0;
        for (int c = 0; c < channels; c++) {
            double live = window.variance(c);
            liveSum += live;
            storedSum += runningVar[c];
            double channelShift = symmetric((live + EPSILON) / (runningVar[c] + EPSILON));
            shiftSum += channelShift;
            shiftMax = Math.max(shiftMax, channelShift);
            meanShiftSum += Math.abs(window.mean(c) - runningMean[c]) / Math.sqrt(runningVar[c]);
        }
        double ratio = liveSum / storedSum;
        return new LayerStatistics(ratio, symmetric(ratio), shiftSum / channels, shiftMax, meanShiftSum / channels);
    }

    private static double symmetric(double r) {
        return Math.max(r, 1 / r);
    }

    /**
     * Per-channel variance ratios live/stored, v_c/σ²_c (no ε), e.g. for per-channel charts.
     *
     * @throws IllegalArgumentException when the window is empty or the channel counts differ
     */
    public static double[] channelVarianceRatios(ChannelMoments window, LayerReference ref) {
        check(window, ref);
        double[] runningVar = ref.runningVar();
        double[] out = new double[runningVar.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = window.variance(c) / runningVar[c];
        }
        return out;
    }

    private static void check(ChannelMoments window, LayerReference ref) {
        if (window.channels() != ref.channels()) {
            throw new IllegalArgumentException("layer '" + ref.name() + "': window has " + window.channels()
                    + " channels but the reference has " + ref.channels() + "; the model and its reference.json disagree");
        }
        if (window.count() == 0) {
            throw new IllegalArgumentException("layer '" + ref.name() + "': the window is empty; close windows with at least one sample");
        }
    }
}
