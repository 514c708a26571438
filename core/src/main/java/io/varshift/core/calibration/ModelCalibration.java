package io.varshift.core.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
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
 * <p>Per window and layer l two tests: the moment statistic S_l ({@link ClassConditionalBaseline}) and
 * the cell score statistic T²_l ({@link CellScoreBaseline}), each with its p-value from its own null.
 * The model statistic is Q = max over layers and tests of −ln p and its p-value comes from Q's own
 * null, bootstrapped jointly over the layers and tests,
 * so that "the model's window is over" has false-alarm rate α however many layers it has; the
 * prediction mix has its own chi-square p-value. Scores are −log10 p, so every threshold is −log10 α.
 */
public final class ModelCalibration {

    /** Identifies the statistic in JSON, so that a future change is refused, not misread. */
    public static final String STATISTIC = "drift-v3";
    /** p-values are floored here so that −log10 p stays finite. */
    static final double MIN_P = 1e-300;

    /**
     * The prediction-mix p-value below which a window counts as mix-shifted and is judged against the
     * nulls of mix-shifted replicates (see {@link WindowNull}).
     */
    public static final double MIX_SHIFTED_BELOW = 0.01;

    /** Every layer's two nulls (moment statistic, cell score statistic) and the model's, for one group of replicates. */
    public record Nulls(int replicates, List<NullDistribution> layers, List<NullDistribution> cellScores,
            NullDistribution model) {
        public Nulls {
            layers = List.copyOf(layers);
            cellScores = List.copyOf(cellScores);
            if (cellScores.size() != layers.size()) {
                throw new IllegalArgumentException("calibration nulls: " + layers.size() + " moment nulls but "
                        + cellScores.size() + " cell score nulls; need one of each per layer");
            }
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
     * One window judged: per layer the moment statistic S and its p-value, the cell score statistic T²
     * and its p-value, and the layer's p-value min(1, 2·min of the two) (Bonferroni over the layer's two
     * tests, so that each layer's own rate stays at most α); the model statistic Q and its p-value; and
     * the prediction-mix p-value.
     */
    public record Judgement(int windowSize, double[] layerStatistic, double[] momentP, double[] cellStatistic,
            double[] cellP, double[] layerP, double modelStatistic, double modelP, double predictionMixP) {

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
    private final List<CellScoreBaseline> cellScores;
    private final List<WindowNull> windows;

    ModelCalibration(double falseAlarmRate, long[] predictionCounts, int heldOutSamples, long seed,
            List<ClassConditionalBaseline> layers, List<CellScoreBaseline> cellScores, List<WindowNull> windows) {
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
        if (cellScores.size() != layers.size()) {
            throw new IllegalArgumentException("calibration: " + layers.size() + " layers but " + cellScores.size()
                    + " cell score baselines; need one per layer");
        }
        for (int l = 0; l < layers.size(); l++) {
            CellScoreBaseline c = cellScores.get(l);
            if (!c.layer().equals(layers.get(l).layer()) || c.classes() != predictionCounts.length) {
                throw new IllegalArgumentException("calibration: cell score baseline " + l + " is for layer '"
                        + c.layer() + "' with " + c.classes() + " classes; layer " + l + " is '"
                        + layers.get(l).layer() + "' with " + predictionCounts.length);
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
        this.cellScores = List.copyOf(cellScores);
        this.windows = List.copyOf(sorted);
    }

    public double falseAlarmRate() {
        return falseAlarmRate;
    }

    /** The calibrator's seed: with the same rows, replicates and window sizes it reproduces this calibration. */
    public long seed() {
        return seed;
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

    /** Per layer, the cell score baseline (same order as {@link #layers()}). */
    public List<CellScoreBaseline> cellScores() {
        return cellScores;
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
     * @param cellScoreSums each layer's summed sample cell scores ({@link CellScoreBaseline#score})
     * @param classCounts the window's samples per predicted class
     */
    public Judgement judge(List<ChannelMoments> moments, double[] cellScoreSums, long[] classCounts) {
        long samples = 0;
        for (long c : classCounts) {
            samples += c;
        }
        return judge(moments, cellScoreSums, classCounts, nearest(samples));
    }

    /** Judges one window against the given null (for evaluations that fix the window size). */
    public Judgement judge(List<ChannelMoments> moments, double[] cellScoreSums, long[] classCounts,
            WindowNull nullDistributions) {
        if (moments.size() != layers.size() || cellScoreSums.length != layers.size()) {
            throw new IllegalArgumentException("calibration: " + moments.size() + " layers of moments and "
                    + cellScoreSums.length + " of cell scores in the window but " + layers.size()
                    + " in the calibration; recalibrate the model");
        }
        int n = layers.size();
        double mixP = PredictionMix.pValue(classCounts, predictionCounts);
        Nulls nulls = nullDistributions.forMix(mixP);
        double[] s = new double[n];
        double[] pm = new double[n];
        double[] t = new double[n];
        double[] pc = new double[n];
        double[] p = new double[n];
        double q = 0;
        for (int l = 0; l < n; l++) {
            s[l] = layers.get(l).statistic(moments.get(l), classCounts);
            pm[l] = nulls.layers().get(l).tailProbability(s[l]);
            t[l] = cellScores.get(l).statistic(cellScoreSums[l], classCounts);
            pc[l] = nulls.cellScores().get(l).tailProbability(t[l]);
            p[l] = Math.min(1, 2 * Math.min(pm[l], pc[l]));
            q = Math.max(q, modelTerm(pm[l], pc[l]));
        }
        return new Judgement(nullDistributions.windowSize(), s, pm, t, pc, p, q, nulls.model().tailProbability(q),
                mixP);
    }

    /** A layer's part of the model statistic Q = max over layers and tests of −ln p. */
    static double modelTerm(double momentP, double cellP) {
        return -Math.log(Math.max(MIN_P, Math.min(momentP, cellP)));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("statistic", STATISTIC);
        o.put("falseAlarmRate", falseAlarmRate);
        o.put("heldOutSamples", heldOutSamples);
        o.put("seed", seed);
        o.set("predictionCounts", JsonFields.array(predictionCounts));
        ArrayNode ls = o.putArray("layers");
        layers.forEach(l -> ls.add(l.toJson()));
        ArrayNode cs = o.putArray("cellScores");
        cellScores.forEach(c -> cs.add(c.toJson()));
        ArrayNode ws = o.putArray("windows");
        for (WindowNull w : windows) {
            ObjectNode wo = ws.addObject();
            wo.put("windowSize", w.windowSize());
            wo.set("mixConsistent", toJson(w.mixConsistent()));
            wo.set("mixShifted", toJson(w.mixShifted()));
        }
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field at fault, or the statistic when it is not
     *     {@value #STATISTIC}
     */
    public static ModelCalibration fromJson(JsonNode o) {
        JsonFields f = new JsonFields("calibration", o);
        String statistic = f.string("statistic");
        if (!STATISTIC.equals(statistic)) {
            throw new IllegalArgumentException("calibration: statistic '" + statistic + "' is not understood by this "
                    + "build (it reads '" + STATISTIC + "'); recalibrate the model with this trainer");
        }
        long[] counts = f.counts("predictionCounts");
        List<ClassConditionalBaseline> layers = new ArrayList<>();
        for (JsonNode e : f.array("layers")) {
            layers.add(ClassConditionalBaseline.fromJson(object("calibration layers", e)));
        }
        List<CellScoreBaseline> cellScores = new ArrayList<>();
        for (JsonNode e : f.array("cellScores")) {
            cellScores.add(CellScoreBaseline.fromJson(object("calibration cellScores", e)));
        }
        List<WindowNull> windows = new ArrayList<>();
        for (JsonNode e : f.array("windows")) {
            JsonNode wo = object("calibration windows", e);
            JsonFields wf = new JsonFields("calibration window", wo);
            int size = wf.integer("windowSize");
            String owner = "calibration window " + size;
            windows.add(new WindowNull(size, nullsFromJson(owner + " mixConsistent", wo.get("mixConsistent")),
                    nullsFromJson(owner + " mixShifted", wo.get("mixShifted"))));
        }
        return new ModelCalibration(f.number("falseAlarmRate"), counts, f.integer("heldOutSamples"),
                f.longValue("seed"), layers, cellScores, windows);
    }

    private static ObjectNode toJson(Nulls nulls) {
        ObjectNode o = Json.object();
        o.put("replicates", nulls.replicates());
        ArrayNode layerNulls = o.putArray("layers");
        nulls.layers().forEach(d -> layerNulls.add(d.toJson()));
        ArrayNode cellNulls = o.putArray("cellScores");
        nulls.cellScores().forEach(d -> cellNulls.add(d.toJson()));
        o.set("model", nulls.model().toJson());
        return o;
    }

    private static Nulls nullsFromJson(String owner, JsonNode e) {
        JsonNode o = object(owner, e);
        JsonFields f = new JsonFields(owner, o);
        List<NullDistribution> layerNulls = new ArrayList<>();
        JsonNode la = f.array("layers");
        for (int i = 0; i < la.size(); i++) {
            layerNulls.add(NullDistribution.fromJson(owner + " layer " + i, object(owner, la.get(i))));
        }
        List<NullDistribution> cellNulls = new ArrayList<>();
        JsonNode ca = f.array("cellScores");
        for (int i = 0; i < ca.size(); i++) {
            cellNulls.add(NullDistribution.fromJson(owner + " cell score " + i, object(owner, ca.get(i))));
        }
        return new Nulls(f.integer("replicates"), layerNulls, cellNulls,
                NullDistribution.fromJson(owner + " model", object(owner, o.get("model"))));
    }

    private static JsonNode object(String owner, JsonNode e) {
        if (e == null || !e.isObject()) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got " + (e == null ? null : Json.compact(e)));
        }
        return e;
    }
}
