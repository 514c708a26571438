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
 * class (the baseline half of the held-out data); the held-out predicted-class counts; and, per
 * window size, the null distribution of every layer's statistic and of the model statistic, both
 * bootstrapped on the other half under varied class mixes (see {@link ModelCalibrator}).
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

    /** The bootstrapped nulls for one window size. */
    public record WindowNull(int windowSize, int replicates, List<NullDistribution> layers, NullDistribution model) {
        public WindowNull {
            layers = List.copyOf(layers);
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
    private final int baselineSamples;
    private final int nullSamples;
    private final long seed;
    private final List<ClassConditionalBaseline> layers;
    private final List<WindowNull> windows;

    ModelCalibration(double falseAlarmRate, long[] predictionCounts, int baselineSamples, int nullSamples, long seed,
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
            if (w.layers().size() != layers.size()) {
                throw new IllegalArgumentException("calibration: window " + w.windowSize() + " has nulls for "
                        + w.layers().size() + " layers but the model has " + layers.size());
            }
            if (i > 0 && sorted.get(i - 1).windowSize() == w.windowSize()) {
                throw new IllegalArgumentException("calibration: two nulls for window size " + w.windowSize());
            }
        }
        this.falseAlarmRate = falseAlarmRate;
        this.predictionCounts = predictionCounts.clone();
        this.baselineSamples = baselineSamples;
        this.nullSamples = nullSamples;
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

    /** Predicted-class counts on the baseline half of the held-out data. */
    public long[] predictionCounts() {
        return predictionCounts.clone();
    }

    public int baselineSamples() {
        return baselineSamples;
    }

    public int nullSamples() {
        return nullSamples;
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
        double[] s = new double[n];
        double[] p = new double[n];
        double q = 0;
        for (int l = 0; l < n; l++) {
            s[l] = layers.get(l).statistic(moments.get(l), classCounts);
            p[l] = nullDistributions.layers().get(l).tailProbability(s[l]);
            q = Math.max(q, -Math.log(Math.max(MIN_P, p[l])));
        }
        double modelP = nullDistributions.model().tailProbability(q);
        return new Judgement(nullDistributions.windowSize(), s, p, q, modelP,
                PredictionMix.pValue(classCounts, predictionCounts));
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("statistic", STATISTIC);
        o.addProperty("falseAlarmRate", falseAlarmRate);
        o.addProperty("baselineSamples", baselineSamples);
        o.addProperty("nullSamples", nullSamples);
        o.addProperty("seed", seed);
        JsonArray counts = new JsonArray();
        for (long c : predictionCounts) {
            counts.add(c);
        }
        o.add("predictionCounts", counts);
        JsonArray ls = new JsonArray();
        layers.forEach(l -> ls.add(l.toJson()));
        o.add("layers", ls);
        JsonArray ws = new JsonArray();
        for (WindowNull w : windows) {
            JsonObject wo = new JsonObject();
            wo.addProperty("windowSize", w.windowSize());
            wo.addProperty("replicates", w.replicates());
            JsonArray nulls = new JsonArray();
            w.layers().forEach(d -> nulls.add(d.toJson()));
            wo.add("layers", nulls);
            wo.add("model", w.model().toJson());
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
        double[] countValues = f.doubles("predictionCounts");
        long[] counts = new long[countValues.length];
        for (int k = 0; k < counts.length; k++) {
            counts[k] = (long) countValues[k];
        }
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
            List<NullDistribution> nulls = new ArrayList<>();
            JsonArray la = wf.array("layers");
            for (int i = 0; i < la.size(); i++) {
                nulls.add(NullDistribution.fromJson(owner + " layer " + i, object(owner, la.get(i))));
            }
            windows.add(new WindowNull(size, wf.integer("replicates"), nulls,
                    NullDistribution.fromJson(owner + " model", object(owner, wo.get("model")))));
        }
        return new ModelCalibration(f.number("falseAlarmRate"), counts, f.integer("baselineSamples"),
                f.integer("nullSamples"), f.longValue("seed"), layers, windows);
    }

    private static JsonObject object(String owner, JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got " + e);
        }
        return e.getAsJsonObject();
    }
}
