package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Calibrates a model's window test from one eval pass over clean held-out data.
 *
 * <p>All held-out rows form the baseline: each layer's class-conditional moments and the
 * predicted-class counts, as the agent will judge live windows against them. The null must hold
 * the baseline's own sampling error (live traffic differs from the stored baseline by it), but only
 * as large as it is: drawing null windows from the same rows and judging them against the same
 * baseline would leave it out; drawing them from a disjoint half would count a second, fixed offset
 * (that half's own error) that live traffic does not have, and made the null ~30 % too wide at
 * 1000-sample windows (realised rate 0 of 10 000 at α = 1e-2). So every replicate draws a window
 * from the held-out rows under a varied class mix ({@link ClassMixSampler}) and judges it against a
 * bootstrap re-estimate of the baseline (the class means of a resample of all rows, with the same
 * layers' resample so that their errors stay correlated): W̄ − B̄* has the variance 1/n + 1/N of
 * live windows against the stored baseline. {@value #BASELINE_DRAWS} re-estimates are drawn once
 * and shared by the replicates in turn.
 *
 * <p>Each layer also gets its cell score test ({@link CellScoreBaseline}): the feature moments from
 * all rows, and every row's out-of-sample (cross-fitted) score, which the replicates sum and the
 * bootstrap re-estimates average per class.
 *
 * <p>Per window size, every replicate gives each layer's statistics S_l and T²_l and its prediction-mix
 * p-value. The replicates are grouped as the agent will group live windows, mix-consistent or
 * mix-shifted ({@link ModelCalibration.WindowNull}); per group each layer's null is fitted, then
 * every replicate's Q = max over layers and tests of −ln p is computed with those nulls and Q's null is fitted from the
 * same replicates (joint over layers, so correlated layers are not over-corrected as Bonferroni
 * would).
 */
public final class ModelCalibrator {

    /** Default number of bootstrap replicates per window size. */
    public static final int DEFAULT_REPLICATES = 30_000;
    /**
     * Fewest held-out rows. Classes with fewer than {@value ClassConditionalBaseline#MIN_CLASS_SAMPLES}
     * rows fall back to the pooled moments, so a small held-out set still calibrates, unconditionally.
     */
    static final int MIN_SAMPLES = 16;
    /** Bootstrap re-estimates of the baseline, shared by the replicates in turn. */
    static final int BASELINE_DRAWS = 400;

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
     * @param seed seed of the resampling, so that a calibration can be reproduced
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
     * @throws IllegalArgumentException when there are fewer than {@value #MIN_SAMPLES} rows, a
     *     window size is below 2, or the rate is outside (0, 0.5)
     */
    public ModelCalibration calibrate(HeldOut data, List<Integer> windowSizes, double falseAlarmRate) {
        if (!(falseAlarmRate > 0 && falseAlarmRate < 0.5)) {
            throw new IllegalArgumentException("falseAlarmRate = " + falseAlarmRate + ": must lie in (0, 0.5), e.g. 1e-2");
        }
        if (data.samples() < MIN_SAMPLES) {
            throw new IllegalArgumentException("calibration: " + data.samples() + " held-out samples; need at least "
                    + MIN_SAMPLES + " for the class-conditional baseline and its null; hold out more samples");
        }
        for (int w : windowSizes) {
            if (w < 2) {
                throw new IllegalArgumentException("calibration: window size " + w + " must be at least 2 samples");
            }
        }
        int[] all = new int[data.samples()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        List<ClassConditionalBaseline> baselines = baselines(data, all);
        List<CellScoreBaseline.Fitted> cells = new ArrayList<>();
        for (int l = 0; l < data.layers().size(); l++) {
            if (!data.layers().get(l).hasCells()) {
                throw new IllegalArgumentException("calibration: layer '" + data.layerNames().get(l) + "' has no cell"
                        + " means; collect the held-out pass with a listener that wants cells (keepSamples = true)");
            }
            cells.add(CellScoreBaseline.fit(data.layerNames().get(l), data.layers().get(l), all, data.predicted(),
                    data.classes(), seed * 17 + l));
        }
        long[] predictionCounts = new long[data.classes()];
        for (int k : data.predicted()) {
            predictionCounts[k]++;
        }
        List<Draw> draws = baselineDraws(data, baselines, cells, new SplittableRandom(seed));
        ClassMixSampler sampler = new ClassMixSampler(all, data.labels() != null ? data.labels() : data.predicted(),
                data.classes());
        List<ModelCalibration.WindowNull> windows = new ArrayList<>();
        for (int size : windowSizes) {
            windows.add(windowNull(data, draws, cells, sampler, predictionCounts, size));
        }
        return new ModelCalibration(falseAlarmRate, predictionCounts, data.samples(), seed, baselines,
                cells.stream().map(CellScoreBaseline.Fitted::baseline).toList(), windows);
    }

    /** One bootstrap re-estimate of every layer's baselines: the moment test's and the cell score test's. */
    private record Draw(List<ClassConditionalBaseline> moments, List<CellScoreBaseline> cells) {
    }

    private static List<ClassConditionalBaseline> baselines(HeldOut data, int[] rows) {
        List<ClassConditionalBaseline> out = new ArrayList<>();
        for (int l = 0; l < data.layers().size(); l++) {
            out.add(ClassConditionalBaseline.of(data.layerNames().get(l), data.layers().get(l), rows, data.predicted(),
                    data.classes()));
        }
        return out;
    }

    /**
     * Bootstrap re-estimates of every layer's class means (of the moments and of the cross-fitted
     * cell scores), each from one resample of all rows shared by the layers and tests.
     */
    private static List<Draw> baselineDraws(HeldOut data, List<ClassConditionalBaseline> baselines,
            List<CellScoreBaseline.Fitted> cells, SplittableRandom random) {
        List<Draw> draws = new ArrayList<>();
        int[] rows = new int[data.samples()];
        for (int b = 0; b < BASELINE_DRAWS; b++) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = random.nextInt(rows.length);
            }
            List<ClassConditionalBaseline> resampled = baselines(data, rows);
            List<ClassConditionalBaseline> moments = new ArrayList<>();
            List<CellScoreBaseline> cellDraw = new ArrayList<>();
            for (int l = 0; l < baselines.size(); l++) {
                moments.add(baselines.get(l).withMeansOf(resampled.get(l)));
                CellScoreBaseline.Fitted c = cells.get(l);
                cellDraw.add(c.baseline().withScoreMeans(
                        CellScoreBaseline.scoreMoments(c.scores(), rows, data.predicted(), data.classes())[0]));
            }
            draws.add(new Draw(moments, cellDraw));
        }
        return draws;
    }

    private ModelCalibration.WindowNull windowNull(HeldOut data, List<Draw> draws,
            List<CellScoreBaseline.Fitted> cells, ClassMixSampler sampler, long[] predictionCounts, int size) {
        SplittableRandom random = new SplittableRandom(seed * 31 + size);
        int layers = data.layers().size();
        double[][] statistics = new double[layers][replicates];
        double[][] cellStatistics = new double[layers][replicates];
        double[] mixP = new double[replicates];
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
            mixP[r] = PredictionMix.pValue(counts, predictionCounts);
            Draw baseline = draws.get(r % draws.size());
            for (int l = 0; l < layers; l++) {
                SampleContributions sums = data.layers().get(l);
                ChannelMoments window = new ChannelMoments(sums.shift());
                sums.sumRows(rows, size, window, scratch.get(l)[0], scratch.get(l)[1]);
                statistics[l][r] = baseline.moments().get(l).statistic(window, counts);
                double[] scores = cells.get(l).scores();
                double scoreSum = 0;
                for (int row : rows) {
                    scoreSum += scores[row];
                }
                cellStatistics[l][r] = baseline.cells().get(l).statistic(scoreSum, counts);
            }
        }
        boolean[] shifted = new boolean[replicates];
        int shiftedCount = 0;
        for (int r = 0; r < replicates; r++) {
            shifted[r] = mixP[r] < ModelCalibration.MIX_SHIFTED_BELOW;
            shiftedCount += shifted[r] ? 1 : 0;
        }
        // A group too small for a tail fit (e.g. a one-class model, whose mix is never shifted) is
        // judged against the nulls of all replicates.
        boolean split = shiftedCount >= NullDistribution.MIN_REPLICATES
                && replicates - shiftedCount >= NullDistribution.MIN_REPLICATES;
        ModelCalibration.Nulls consistent = nulls(statistics, cellStatistics, shifted, false, split);
        ModelCalibration.Nulls skewed = split ? nulls(statistics, cellStatistics, shifted, true, true) : consistent;
        return new ModelCalibration.WindowNull(size, consistent, skewed);
    }

    /** The nulls fitted from the replicates whose shifted flag is {@code group} (all when not split). */
    private static ModelCalibration.Nulls nulls(double[][] statistics, double[][] cellStatistics, boolean[] shifted,
            boolean group, boolean split) {
        int layers = statistics.length;
        double[][] mine = select(statistics, shifted, group, split);
        double[][] mineCells = select(cellStatistics, shifted, group, split);
        int count = mine[0].length;
        List<NullDistribution> layerNulls = new ArrayList<>();
        List<NullDistribution> cellNulls = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            layerNulls.add(NullDistribution.of(mine[l]));
            cellNulls.add(NullDistribution.of(mineCells[l]));
        }
        double[] model = new double[count];
        for (int i = 0; i < count; i++) {
            double q = 0;
            for (int l = 0; l < layers; l++) {
                q = Math.max(q, ModelCalibration.modelTerm(layerNulls.get(l).tailProbability(mine[l][i]),
                        cellNulls.get(l).tailProbability(mineCells[l][i])));
            }
            model[i] = q;
        }
        return new ModelCalibration.Nulls(count, layerNulls, cellNulls, NullDistribution.of(model));
    }

    /** Per layer, the statistics of the replicates whose shifted flag is {@code group} (all when not split). */
    private static double[][] select(double[][] statistics, boolean[] shifted, boolean group, boolean split) {
        int count = 0;
        for (boolean s : shifted) {
            count += !split || s == group ? 1 : 0;
        }
        double[][] mine = new double[statistics.length][count];
        for (int r = 0, i = 0; r < shifted.length; r++) {
            if (!split || shifted[r] == group) {
                for (int l = 0; l < statistics.length; l++) {
                    mine[l][i] = statistics[l][r];
                }
                i++;
            }
        }
        return mine;
    }
}
