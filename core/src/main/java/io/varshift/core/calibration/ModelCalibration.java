package io.varshift.core.calibration;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A model's calibrated window test: per layer, the clean input moments conditional on the predicted
 * class (the held-out data); the held-out predicted-class counts; and, per window size, the null
 * distribution of every layer's statistic and of the model statistic, bootstrapped under varied
 * class mixes against re-estimates of the baseline (see {@link ModelCalibrator}).
 *
 * <p>Per window: layer l's p-value p_l = P_null(S_l ≥ s_l); the model statistic is
 * Q = max_l(−ln p_l) and its p-value comes from Q's own null, bootstrapped jointly over the layers,
 * so that "the model's window is over" has false-alarm rate α however many layers it has; the
 * prediction mix has its own chi-square p-value. Scores are −log10 p, so every threshold is −log10 α.
 */
public final class ModelCalibration {

    /** Identifies the statistic in JSON, so that a future change is refused, not misread. */
    public static final String STATISTIC = "drift-v2";
    /** p-values are floored here so that −log10 p stays finite. */
    static final double MIN_P = 1e-300;

    /**
     * The prediction-mix p-value below which a window counts as mix-shifted and is judged against the
     * nulls of mix-shifted replicates (see {@link WindowNull}).
     */
    public static final double MIX_SHIFTED_BELOW = 0.01;

    /** Every layer's null and the model's, for one group of replicates. */
    public record Nulls(int replicates, List<NullDistribution> layers, NullDistribution model) {
        public Nulls {
            layers = List.copyOf(layers);
        }
    }

    /**
     * The bootstrapped nulls for one window size, conditional on the window's prediction mix: windows
     * whose predicted-class counts are consistent with the held-out ones (mix p-value at least
     * {@value #MIX_SHIFTED_BELOW}) are judged against the replicates that were too, the others against
     * the mix-shifted replicates. A strongly skewed mix widens the statistic's null (a class's
     * predicted samples then come more from confusable true classes); judging shuffled traffic against
     * that wider null made it conservative by a factor of up to 20 at 1000-sample windows.
     */
    public record WindowNull(int windowSize, Nulls mixConsistent, Nulls mixShifted) {

        public int replicates() {
            return mixConsistent.replicates() + mixShifted.replicates();
        }

        /** The nulls for a window with this prediction-mix p-value. */
        public Nulls forMix(double predictionMixP) {
            return predictionMixP >= MIX_SHIFTED_BELOW ? mixConsistent : mixShifted;
        }
    }

    /**
     * One window judged: per layer the statistic S and its p-value, the model statistic Q and its
     * p-value, and the prediction-mix p-value (NaN without predicted-class counts).
     */
    public record Judgement(int windowSize, double[] layerStatistic, double[] layerP, double modelStatistic,
            double modelP, double predictionMixP) {

        /** −log10 p, the form every score is exported in. */
        public static double score(double p) {
            return -Math.log10(Math.max(MIN_P, p));
        }
    }

    private final double falseAlarmRate;
    private final long[] predictionCounts;
    private final int heldOutSamples;
    private final long seed;
    private final List<ClassConditionalBaseline> layers;
    private final List<WindowNull> windows;

    ModelCalibration(double falseAlarmRate, long[] predictionCounts, int heldOutSamples, long seed,
            List<ClassConditionalBaseline> layers, List<WindowNull> windows) {
        if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
            throw new IllegalArgumentException("calibration: falseAlarmRate = " + falseAlarmRate
                    + " must lie in (0, 0.5), e.g. 1e-2");
        }
        if (layers.isEmpty() || windows.isEmpty()) {
            throw new IllegalArgumentException("calibration: needs at least one layer and one window size");
        }
        for (ClassConditionalBaseline layer : layers) {
            if (layer.classes() != predictionCounts.length) {
                throw new IllegalArgumentException("calibration: layer '" + layer.layer() + "' has " + layer.classes()
                        + " classes but the prediction counts have " + predictionCounts.length);
            }
        }
        List<WindowNull> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparingInt(WindowNull::windowSize));
        for (int i = 0; i < sorted.size(); i++) {
            WindowNull w = sorted.get(i);
            for (Nulls group : List.of(w.mixConsistent(), w.mixShifted())) {
                if (group.layers().size() != layers.size()) {
                    throw new IllegalArgumentException("calibration: window " + w.windowSize() + " has nulls for "
                            + group.layers().size() + " layers but the model has " + layers.size());
                }
            }
            if (i > 0 && sorted.get(i - 1).windowSize() == w.windowSize()) {
                throw new IllegalArgumentException("calibration: two nulls for window size " + w.windowSize());
            }
        }
        this.falseAlarmRate = falseAlarmRate;
        this.predictionCounts = predictionCounts.clone();
        this.heldOutSamples = heldOutSamples;
        this.seed = seed;
        this.layers = List.copyOf(layers);
        this.windows = List.copyOf(sorted);
    }

    public double falseAlarmRate() {
        return falseAlarmRate;
    }

    /** The score threshold, −log10 α, shared by every layer, the model and the prediction mix. */
    public double scoreThreshold() {
        return Judgement.score(falseAlarmRate);
    }

    public int classes() {
        return predictionCounts.length;
    }

    /** Predicted-class counts on the held-out data. */
    public long[] predictionCounts() {
        return predictionCounts.clone();
    }

    /** Held-out samples behind the baseline and the null. */
    public int heldOutSamples() {
        return heldOutSamples;
    }

    public List<ClassConditionalBaseline> layers() {
        return layers;
    }

    public List<WindowNull> windows() {
        return windows;
    }

    /** Calibrated window sizes, ascending. */
    public List<Integer> windowSizes() {
        return windows.stream().map(WindowNull::windowSize).toList();
    }

    /** The null of the calibrated window size nearest (in ratio) to {@code samples}. */
    public WindowNull nearest(long samples) {
        WindowNull best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (WindowNull w : windows) {
            double distance = Math.abs(Math.log((double) Math.max(1, samples) / w.windowSize()));
            if (distance < bestDistance) {
                best = w;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * Judges one window against the null of the nearest calibrated window size.
     *
     * @param moments each layer's window moments, in model order
     * @param classCounts the window's samples per predicted class
     */
    public Judgement judge(List<ChannelMoments> moments, long[] classCounts) {
        long samples = 0;
        for (long c : classCounts) {
            samples += c;
        }
        return judge(moments, classCounts, nearest(samples));
    }

    /** Judges one window against the given null (for evaluations that fix the window size). */
    public Judgement judge(List<ChannelMoments> moments, long[] classCounts, WindowNull nullDistributions) {
        if (moments.size() != layers.size()) {
            throw new IllegalArgumentException("calibration: " + moments.size() + " layers in the window but "
                    + layers.size() + " in the calibration; recalibrate the model");
        }
        int n = layers.size();
        double mixP = PredictionMix.pValue(classCounts, predictionCounts);
        Nulls nulls = nullDistributions.forMix(mixP);
        double[] s = new double[n];
        double[] p = new double[n];
        double q = 0;
        for (int l = 0; l < n; l++) {
            s[l] = layers.get(l).statistic(moments.get(l), classCounts);
            p[l] = nulls.layers().get(l).tailProbability(s[l]);
            q = Math.max(q, -Math.log(Math.max(MIN_P, p[l])));
        }
        return new Judgement(nullDistributions.windowSize(), s, p, q, nulls.model().tailProbability(q), mixP);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("statistic", STATISTIC);
        o.addProperty("falseAlarmRate", falseAlarmRate);
        o.addProperty("heldOutSamples", heldOutSamples);
        o.addProperty("seed", seed);
        o.add("predictionCounts", JsonFields.array(predictionCounts));
        JsonArray ls = new JsonArray();
        layers.forEach(l -> ls.add(l.toJson()));
        o.add("layers", ls);
        JsonArray ws = new JsonArray();
        for (WindowNull w : windows) {
            JsonObject wo = new JsonObject();
            wo.addProperty("windowSize", w.windowSize());
            wo.add("mixConsistent", toJson(w.mixConsistent()));
            wo.add("mixShifted", toJson(w.mixShifted()));
            ws.add(wo);
        }
        o.add("windows", ws);
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field at fault, or the statistic when it is not
     *     {@value #STATISTIC}
     */
    public static ModelCalibration fromJson(JsonObject o) {
        JsonFields f = new JsonFields("calibration", o);
        String statistic = f.string("statistic");
        if (!STATISTIC.equals(statistic)) {
            throw new IllegalArgumentException("calibration: statistic '" + statistic + "' is not understood by this "
                    + "build (it reads '" + STATISTIC + "'); recalibrate the model with this trainer");
        }
        long[] counts = f.counts("predictionCounts");
        List<ClassConditionalBaseline> layers = new ArrayList<>();
        for (JsonElement e : f.array("layers")) {
            layers.add(ClassConditionalBaseline.fromJson(object("calibration layers", e)));
        }
        List<WindowNull> windows = new ArrayList<>();
        for (JsonElement e : f.array("windows")) {
            JsonObject wo = object("calibration windows", e);
            JsonFields wf = new JsonFields("calibration window", wo);
            int size = wf.integer("windowSize");
            String owner = "calibration window " + size;
            windows.add(new WindowNull(size, nullsFromJson(owner + " mixConsistent", wo.get("mixConsistent")),
                    nullsFromJson(owner + " mixShifted", wo.get("mixShifted"))));
        }
        return new ModelCalibration(f.number("falseAlarmRate"), counts, f.integer("heldOutSamples"),
                f.longValue("seed"), layers, windows);
    }

    private static JsonObject toJson(Nulls nulls) {
        JsonObject o = new JsonObject();
        o.addProperty("replicates", nulls.replicates());
        JsonArray layerNulls = new JsonArray();
        nulls.layers().forEach(d -> layerNulls.add(d.toJson()));
        o.add("layers", layerNulls);
        o.add("model", nulls.model().toJson());
        return o;
    }

    private static Nulls nullsFromJson(String owner, JsonElement e) {
        JsonObject o = object(owner, e);
        JsonFields f = new JsonFields(owner, o);
        List<NullDistribution> layerNulls = new ArrayList<>();
        JsonArray la = f.array("layers");
        for (int i = 0; i < la.size(); i++) {
            layerNulls.add(NullDistribution.fromJson(owner + " layer " + i, object(owner, la.get(i))));
        }
        return new Nulls(f.integer("replicates"), layerNulls,
                NullDistribution.fromJson(owner + " model", object(owner, o.get("model"))));
    }

    private static JsonObject object(String owner, JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got " + e);
        }
        return e.getAsJsonObject();
    }
}
