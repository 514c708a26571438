package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Calibrates a model's window test from one eval pass over clean held-out data.
 *
 * <p>The held-out rows are split at random into two disjoint halves. The baseline half gives each
 * layer's class-conditional moments and the predicted-class counts; the null half gives the
 * bootstrap windows. Because the agent judges live windows against the baseline half, and the null
 * windows are independent of it, the null includes the baseline's own sampling error: the realised
 * false-alarm rate does not depend on how many held-out samples there were against the window size.
 * Null windows are drawn under varied class mixes ({@link ClassMixSampler}). Per window size, every
 * replicate gives each layer's statistic S_l; each layer's null is fitted, then every replicate's
 * Q = max_l(−ln p_l) is computed with those nulls and Q's null is fitted from the same replicates
 * (joint over layers, so correlated layers are not over-corrected as Bonferroni would).
 */
public final class ModelCalibrator {

    /** Default number of bootstrap replicates per window size. */
    public static final int DEFAULT_REPLICATES = 10_000;
    /** Fewest rows in either half. */
    static final int MIN_HALF = 100;

    /**
     * Per-sample sums of every probed layer on clean held-out data, with each sample's predicted
     * class and, when known, its true label.
     *
     * @param labels true labels, or null for unlabelled data (class mixes are then drawn by predicted class)
     */
    public record HeldOut(List<String> layerNames, List<SampleContributions> layers, int[] predicted, int[] labels,
            int classes) {
        public HeldOut {
            layerNames = List.copyOf(layerNames);
            layers = List.copyOf(layers);
            if (layers.isEmpty() || layerNames.size() != layers.size()) {
                throw new IllegalArgumentException("calibration: " + layers.size() + " layers of sums but "
                        + layerNames.size() + " names; need one of each per probed layer");
            }
            int samples = layers.get(0).samples();
            for (SampleContributions l : layers) {
                if (l.samples() != samples) {
                    throw new IllegalArgumentException("calibration: layers hold different sample counts ("
                            + samples + " and " + l.samples() + ")");
                }
            }
            if (predicted.length != samples || (labels != null && labels.length != samples)) {
                throw new IllegalArgumentException("calibration: " + samples + " samples but " + predicted.length
                        + " predicted classes" + (labels == null ? "" : " and " + labels.length + " labels"));
            }
            if (classes < 1) {
                throw new IllegalArgumentException("calibration: classes = " + classes + " must be >= 1");
            }
            for (int i = 0; i < samples; i++) {
                if (predicted[i] < 0 || predicted[i] >= classes || (labels != null && (labels[i] < 0
                        || labels[i] >= classes))) {
                    throw new IllegalArgumentException("calibration: sample " + i + " has class "
                            + predicted[i] + (labels == null ? "" : " / label " + labels[i]) + " outside [0, "
                            + classes + ")");
                }
            }
        }

        public int samples() {
            return predicted.length;
        }
    }

    private final int replicates;
    private final long seed;

    /**
     * @param replicates bootstrap windows per window size (at least 200)
     * @param seed seed of the split and the resampling, so that a calibration can be reproduced
     */
    public ModelCalibrator(int replicates, long seed) {
        if (replicates < NullDistribution.MIN_REPLICATES) {
            throw new IllegalArgumentException("calibrator replicates = " + replicates + ": need at least "
                    + NullDistribution.MIN_REPLICATES + " for a stable tail fit (default " + DEFAULT_REPLICATES + ")");
        }
        this.replicates = replicates;
        this.seed = seed;
    }

    /**
     * @throws IllegalArgumentException when either half would hold fewer than {@value #MIN_HALF}
     *     rows, a window size is below 2, or the rate is outside (0, 0.5)
     */
    public ModelCalibration calibrate(HeldOut data, List<Integer> windowSizes, double falseAlarmRate) {
        if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
            throw new IllegalArgumentException("falseAlarmRate = " + falseAlarmRate + ": must lie in (0, 0.5), e.g. 1e-2");
        }
        if (data.samples() < 2 * MIN_HALF) {
            throw new IllegalArgumentException("calibration: " + data.samples() + " held-out samples; need at least "
                    + 2 * MIN_HALF + " (half form the baseline, half the null); hold out more samples");
        }
        for (int w : windowSizes) {
            if (w < 2) {
                throw new IllegalArgumentException("calibration: window size " + w + " must be at least 2 samples");
            }
        }
        int[][] halves = split(data.samples(), new SplittableRandom(seed));
        int[] baselineRows = halves[0];
        int[] nullRows = halves[1];
        List<ClassConditionalBaseline> baselines = new ArrayList<>();
        for (int l = 0; l < data.layers().size(); l++) {
            baselines.add(ClassConditionalBaseline.of(data.layerNames().get(l), data.layers().get(l), baselineRows,
                    data.predicted(), data.classes()));
        }
        long[] predictionCounts = new long[data.classes()];
        for (int row : baselineRows) {
            predictionCounts[data.predicted()[row]]++;
        }
        ClassMixSampler sampler = new ClassMixSampler(nullRows, data.labels() != null ? data.labels() : data.predicted(),
                data.classes());
        List<ModelCalibration.WindowNull> windows = new ArrayList<>();
        for (int size : windowSizes) {
            windows.add(windowNull(data, baselines, sampler, size));
        }
        return new ModelCalibration(falseAlarmRate, predictionCounts, baselineRows.length, nullRows.length, seed,
                baselines, windows);
    }

    private ModelCalibration.WindowNull windowNull(HeldOut data, List<ClassConditionalBaseline> baselines,
            ClassMixSampler sampler, int size) {
        SplittableRandom random = new SplittableRandom(seed * 31 + size);
        int layers = baselines.size();
        double[][] statistics = new double[layers][replicates];
        int[] rows = new int[size];
        long[] counts = new long[data.classes()];
        List<float[][]> scratch = new ArrayList<>();
        for (SampleContributions l : data.layers()) {
            scratch.add(new float[][] {new float[size * l.channels()], new float[size * l.channels()]});
        }
        for (int r = 0; r < replicates; r++) {
            sampler.draw(random, rows, size);
            java.util.Arrays.fill(counts, 0);
            for (int row : rows) {
                counts[data.predicted()[row]]++;
            }
            for (int l = 0; l < layers; l++) {
                SampleContributions sums = data.layers().get(l);
                ChannelMoments window = new ChannelMoments(sums.shift());
                sums.sumRows(rows, size, window, scratch.get(l)[0], scratch.get(l)[1]);
                statistics[l][r] = baselines.get(l).statistic(window, counts);
            }
        }
        List<NullDistribution> nulls = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            nulls.add(NullDistribution.of(statistics[l]));
        }
        double[] model = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            double q = 0;
            for (int l = 0; l < layers; l++) {
                q = Math.max(q, -Math.log(Math.max(ModelCalibration.MIN_P, nulls.get(l).tailProbability(statistics[l][r]))));
            }
            model[r] = q;
        }
        return new ModelCalibration.WindowNull(size, replicates, nulls, NullDistribution.of(model));
    }

    /** A random split into two halves (the baseline half gets the extra row of an odd count). */
    static int[][] split(int samples, SplittableRandom random) {
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        for (int i = samples - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int half = (samples + 1) / 2;
        return new int[][] {java.util.Arrays.copyOfRange(order, 0, half), java.util.Arrays.copyOfRange(order, half, samples)};
    }
}
