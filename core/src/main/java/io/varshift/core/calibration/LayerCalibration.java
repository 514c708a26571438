package io.varshift.core.calibration;

import com.google.gson.JsonObject;
import io.varshift.core.moments.ChannelMoments;

/**
 * The calibrated null of one layer's drift statistic for one window size.
 *
 * <p>The drift statistic D (mean squared log variance ratio plus mean squared standardised mean
 * shift, against the clean baseline stored here) is reported as the drift score
 * (D^(1/3) − nullMean)/nullSd, where nullMean and nullSd are the mean and standard deviation of
 * D^(1/3) over the bootstrap replicates (near normal by Wilson–Hilferty, so the score reads like
 * a z-score). A window is over when the score exceeds {@code threshold}, the score of the D value
 * that clean windows exceed with probability {@code falseAlarmRate} (see {@link Calibrator}).
 */
public final class LayerCalibration {

    /** Identifies the statistic and transform in JSON, so that a future change is refused, not misread. */
    public static final String STATISTIC = "drift-v1";

    private final int windowSize;
    private final long positionsPerSample;
    private final double falseAlarmRate;
    private final int replicates;
    private final double[] baselineMean;
    private final double[] baselineVar;
    private final double nullMean;
    private final double nullSd;
    private final double threshold;

    /**
     * @param windowSize samples per window the null was bootstrapped for
     * @param positionsPerSample spatial positions per sample of this layer (1 for dense layers)
     * @param falseAlarmRate target per-window false-alarm probability, in (0, 0.5)
     * @param replicates bootstrap replicates behind the fit
     * @param baselineMean per-channel mean of the clean held-out data
     * @param baselineVar per-channel population variance of the clean held-out data (≥ 0)
     * @param nullMean mean of D^(1/3) over the bootstrap replicates
     * @param nullSd standard deviation of D^(1/3) over the bootstrap replicates (&gt; 0)
     * @param threshold threshold on the drift score for the target false-alarm rate
     */
    public LayerCalibration(int windowSize, long positionsPerSample, double falseAlarmRate, int replicates,
            double[] baselineMean, double[] baselineVar, double nullMean, double nullSd, double threshold) {
        require(windowSize >= 2, "windowSize", windowSize, "must be at least 2 samples");
        require(positionsPerSample >= 1, "positionsPerSample", positionsPerSample, "must be at least 1");
        require(falseAlarmRate > 0 && falseAlarmRate < 0.5, "falseAlarmRate", falseAlarmRate,
                "must lie in (0, 0.5), e.g. 1e-4");
        require(replicates >= 2, "replicates", replicates, "must be at least 2");
        require(baselineMean != null && baselineMean.length > 0, "baselineMean", "empty",
                "needs one value per channel");
        require(baselineVar != null && baselineVar.length == baselineMean.length, "baselineVar",
                baselineVar == null ? "null" : baselineVar.length + " values",
                "needs one value per channel (" + baselineMean.length + ")");
        for (int c = 0; c < baselineMean.length; c++) {
            require(Double.isFinite(baselineMean[c]), "baselineMean[" + c + "]", baselineMean[c], "must be finite");
            require(Double.isFinite(baselineVar[c]) && baselineVar[c] >= 0, "baselineVar[" + c + "]",
                    baselineVar[c], "must be finite and >= 0");
        }
        require(Double.isFinite(nullMean), "nullMean", nullMean, "must be finite");
        require(Double.isFinite(nullSd) && nullSd > 0, "nullSd", nullSd, "must be finite and > 0");
        require(Double.isFinite(threshold), "threshold", threshold, "must be finite");
        this.windowSize = windowSize;
        this.positionsPerSample = positionsPerSample;
        this.falseAlarmRate = falseAlarmRate;
        this.replicates = replicates;
        this.baselineMean = baselineMean.clone();
        this.baselineVar = baselineVar.clone();
        this.nullMean = nullMean;
        this.nullSd = nullSd;
        this.threshold = threshold;
    }

    private static void require(boolean ok, String field, Object value, String fix) {
        if (!ok) {
            throw new IllegalArgumentException("calibration field '" + field + "' = " + value + ": " + fix);
        }
    }

    /**
     * The raw drift statistic D of a window against this baseline. A window of n samples other
     * than {@link #windowSize()} is rescaled by n/windowSize, since under the null D shrinks as
     * 1/n; the rescaling is exact only asymptotically, so close windows of the calibrated size.
     */
    public double statistic(ChannelMoments window) {
        double samples = (double) window.count() / positionsPerSample;
        return DriftStatistic.of(window, baselineMean, baselineVar) * samples / windowSize;
    }

    /** The drift score (D^(1/3) − nullMean)/nullSd; compare with {@link #threshold()}. */
    public double score(ChannelMoments window) {
        return (DriftStatistic.transform(statistic(window)) - nullMean) / nullSd;
    }

    public int windowSize() {
        return windowSize;
    }

    public long positionsPerSample() {
        return positionsPerSample;
    }

    public double falseAlarmRate() {
        return falseAlarmRate;
    }

    public int replicates() {
        return replicates;
    }

    public int channels() {
        return baselineMean.length;
    }

    public double[] baselineMean() {
        return baselineMean.clone();
    }

    public double[] baselineVar() {
        return baselineVar.clone();
    }

    public double nullMean() {
        return nullMean;
    }

    public double nullSd() {
        return nullSd;
    }

    public double threshold() {
        return threshold;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("statistic", STATISTIC);
        o.addProperty("windowSize", windowSize);
        o.addProperty("positionsPerSample", positionsPerSample);
        o.addProperty("falseAlarmRate", falseAlarmRate);
        o.addProperty("replicates", replicates);
        o.add("baselineMean", JsonFields.array(baselineMean));
        o.add("baselineVar", JsonFields.array(baselineVar));
        o.addProperty("nullMean", nullMean);
        o.addProperty("nullSd", nullSd);
        o.addProperty("threshold", threshold);
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field when one is missing, of the wrong type or
     *     out of range, or when the statistic is not {@value #STATISTIC}
     */
    public static LayerCalibration fromJson(JsonObject o) {
        JsonFields f = new JsonFields("calibration", o);
        String statistic = f.string("statistic");
        if (!STATISTIC.equals(statistic)) {
            throw new IllegalArgumentException("calibration field 'statistic' = '" + statistic
                    + "': this build understands only '" + STATISTIC + "'; recalibrate the model");
        }
        return new LayerCalibration(f.integer("windowSize"), f.longValue("positionsPerSample"),
                f.number("falseAlarmRate"), f.integer("replicates"), f.doubles("baselineMean"),
                f.doubles("baselineVar"), f.number("nullMean"), f.number("nullSd"), f.number("threshold"));
    }

    @Override
    public String toString() {
        return "LayerCalibration[windowSize=" + windowSize + ", falseAlarmRate=" + falseAlarmRate
                + ", replicates=" + replicates + ", nullMean=" + nullMean + ", nullSd=" + nullSd
                + ", threshold=" + threshold + "]";
    }
}
