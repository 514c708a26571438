package io.varshift.core.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import java.util.SplittableRandom;

/**
 * One BN layer's per-sample outlier score and its clean baseline. The moment statistic of
 * {@link ClassConditionalBaseline} averages every position of a channel, so a change confined to part
 * of each image (a patch, a sticker, a dead sensor region) is diluted by the rest; this test looks at
 * each sample where it changed.
 *
 * <p>Per sample the probe gives each channel's cell means x_f (f = channel × cell of the layer's
 * {@code CellGrid}). With k the sample's predicted class and μ_kf, σ²_kf the class's clean mean and
 * variance of feature f, the sample's score is s = ln max_f (x_f − μ_kf)²/σ²_kf: how far its most
 * unusual cell lies from its class. Per predicted class the baseline keeps the score's mean E_k[s] and
 * variance Var_k[s]. A window's statistic is T² with T = (s̄ − Σ w_k E_k[s]) / √(Σ (w_k/n + w_k²/a_k) Var_k[s]),
 * w_k = n_k/n the window's predicted-class shares and a_k the baseline's samples of class k: like
 * the moment statistic, it follows the window's own class mix, and its denominator holds the
 * baseline's own error.
 *
 * <p>The score baseline must come from samples the feature moments did not see: a sample scored
 * against moments fitted on itself looks more typical than live traffic will (measured: window
 * z-scores of unseen clean traffic centred at +0.2 to +0.4 instead of 0). So the held-out rows are
 * cut into {@value #FOLDS} folds, fold j's rows are scored against moments fitted on the other folds
 * (fit j), and E_k[s], Var_k[s] come from those cross-fitted scores. A live sample is scored against
 * one of the same fits, fit (i mod {@value #FOLDS}) for the window's i-th sample: it is then out of
 * sample for its fit exactly as every held-out row is for its own, so live and held-out scores have
 * the same distribution. Scoring live samples against a fit of all rows instead (tighter, so lower
 * scores) made shuffled windows of 1000 more conservative: 0.38 α against 0.46 α with the fold fits
 * at α = 1e-3, in otherwise equal calibrations. Classes
 * with fewer than {@value ClassConditionalBaseline#MIN_CLASS_SAMPLES} baseline samples use the
 * pooled moments.
 */
public final class CellScoreBaseline {

    /** Folds of the cross-fitting that gives the held-out rows out-of-sample scores. */
    static final int FOLDS = 5;
    /**
     * Each feature variance is floored at this share of the layer's mean feature variance: a cell
     * that is constant on clean data (a black corner) must not turn float noise into an alarm.
     */
    static final double FLOOR_SHARE = 1e-4;
    /** Added inside the logarithm so that a sample exactly at its class mean scores finitely. */
    static final double LOG_FLOOR = 1e-12;

    private final String layer;
    private final int cellsPerChannel;
    private final long[] counts;
    /** [fit][class][feature]: fit j is fitted on every fold but j. */
    private final float[][][] mean;
    /** [fit][class][feature], floored. */
    private final float[][][] variance;
    /** 1/variance, so that scoring a sample multiplies instead of divides. */
    private final float[][][] precision;
    private final double[] scoreMean;
    private final double[] scoreVariance;

    private CellScoreBaseline(String layer, int cellsPerChannel, long[] counts, float[][][] mean,
            float[][][] variance, double[] scoreMean, double[] scoreVariance) {
        this.layer = layer;
        this.cellsPerChannel = cellsPerChannel;
        this.counts = counts;
        this.mean = mean;
        this.variance = variance;
        this.precision = new float[variance.length][][];
        for (int j = 0; j < variance.length; j++) {
            precision[j] = inverse(variance[j]);
        }
        this.scoreMean = scoreMean;
        this.scoreVariance = scoreVariance;
    }

    /** A fitted baseline and the held-out rows' cross-fitted scores (NaN for rows it did not use). */
    record Fitted(CellScoreBaseline baseline, double[] scores) {
    }

    /**
     * @param rows the layer's per-sample sums with their cell means
     * @param use which rows form the baseline
     * @param predicted predicted class of every row
     * @param seed seed of the fold assignment
     */
    static Fitted fit(String layer, SampleContributions rows, int[] use, int[] predicted, int classes, long seed) {
        float[] cells = rows.cellRows();
        int features = rows.cellFeatures();
        if (use.length < FOLDS) {
            throw new IllegalArgumentException("layer '" + layer + "': " + use.length + " baseline rows cannot be"
                    + " cut into " + FOLDS + " folds; hold out more samples");
        }
        int[] foldOf = folds(use, rows.samples(), seed);
        double[] scores = new double[rows.samples()];
        java.util.Arrays.fill(scores, Double.NaN);
        float[][][] mean = new float[FOLDS][][];
        float[][][] variance = new float[FOLDS][][];
        for (int fold = 0; fold < FOLDS; fold++) {
            int[] train = new int[use.length];
            int t = 0;
            for (int row : use) {
                if (foldOf[row] != fold) {
                    train[t++] = row;
                }
            }
            FeatureMoments fitted = FeatureMoments.of(cells, features, java.util.Arrays.copyOf(train, t), predicted,
                    classes);
            mean[fold] = fitted.mean;
            variance[fold] = fitted.variance;
            for (int row : use) {
                if (foldOf[row] == fold) {
                    scores[row] = score(cells, row * features, predicted[row], fitted.mean, inverse(fitted.variance),
                            features);
                }
            }
        }
        double[][] scoreMoments = scoreMoments(scores, use, predicted, classes);
        long[] counts = new long[classes];
        for (int row : use) {
            counts[predicted[row]]++;
        }
        CellScoreBaseline baseline = new CellScoreBaseline(layer, rows.cellsPerChannel(), counts, mean, variance,
                scoreMoments[0], scoreMoments[1]);
        return new Fitted(baseline, scores);
    }

    /**
     * Every row's fold: the rows in {@code use}, in a seeded random order, dealt to the
     * {@value #FOLDS} folds in turn (fold sizes differ by at most one); −1 for rows not in use.
     */
    static int[] folds(int[] use, int samples, long seed) {
        int[] order = use.clone();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] fold = new int[samples];
        java.util.Arrays.fill(fold, -1);
        for (int i = 0; i < order.length; i++) {
            fold[order[i]] = i % FOLDS;
        }
        return fold;
    }

    /** Per class {mean, variance} of the scores of the given rows; pooled for classes with too few. */
    static double[][] scoreMoments(double[] scores, int[] rows, int[] predicted, int classes) {
        double[] sum = new double[classes + 1];
        double[] squares = new double[classes + 1];
        long[] n = new long[classes + 1];
        for (int row : rows) {
            double s = scores[row];
            int k = predicted[row];
            sum[k] += s;
            squares[k] += s * s;
            n[k]++;
            sum[classes] += s;
            squares[classes] += s * s;
            n[classes]++;
        }
        double[][] out = new double[2][classes];
        for (int k = 0; k < classes; k++) {
            int from = n[k] >= ClassConditionalBaseline.MIN_CLASS_SAMPLES ? k : classes;
            double m = sum[from] / n[from];
            out[0][k] = m;
            out[1][k] = Math.max(0, squares[from] / n[from] - m * m);
        }
        return out;
    }

    private static double score(float[] cells, int offset, int k, float[][] mean, float[][] precision,
            int features) {
        float[] mu = mean[k];
        float[] w = precision[k];
        // Four running maxima (the compare chains of one would serialise the loop); a NaN anywhere
        // makes the score NaN, as Math.max would.
        float w0 = 0;
        float w1 = 0;
        float w2 = 0;
        float w3 = 0;
        boolean nan = false;
        int f = 0;
        for (; f + 3 < features; f += 4) {
            float d0 = cells[offset + f] - mu[f];
            float d1 = cells[offset + f + 1] - mu[f + 1];
            float d2 = cells[offset + f + 2] - mu[f + 2];
            float d3 = cells[offset + f + 3] - mu[f + 3];
            float v0 = d0 * d0 * w[f];
            float v1 = d1 * d1 * w[f + 1];
            float v2 = d2 * d2 * w[f + 2];
            float v3 = d3 * d3 * w[f + 3];
            nan |= v0 != v0 | v1 != v1 | v2 != v2 | v3 != v3;
            w0 = v0 > w0 ? v0 : w0;
            w1 = v1 > w1 ? v1 : w1;
            w2 = v2 > w2 ? v2 : w2;
            w3 = v3 > w3 ? v3 : w3;
        }
        for (; f < features; f++) {
            float d = cells[offset + f] - mu[f];
            float v = d * d * w[f];
            nan |= v != v;
            w0 = v > w0 ? v : w0;
        }
        if (nan) {
            return Double.NaN;
        }
        float worst = Math.max(Math.max(w0, w1), Math.max(w2, w3));
        return Math.log(worst + LOG_FLOOR);
    }

    /** Fit {@code fit}'s mean of feature {@code f} for class {@code k} (tests). */
    float fitMean(int fit, int k, int f) {
        return mean[fit][k][f];
    }

    /** Fit {@code fit}'s precision (1 / variance) of feature {@code f} for class {@code k} (tests). */
    float fitPrecision(int fit, int k, int f) {
        return precision[fit][k][f];
    }

    private static float[][] inverse(float[][] variance) {
        float[][] out = new float[variance.length][];
        for (int k = 0; k < variance.length; k++) {
            out[k] = new float[variance[k].length];
            for (int f = 0; f < out[k].length; f++) {
                out[k][f] = 1f / variance[k][f];
            }
        }
        return out;
    }

    /**
     * The score of one sample against one fit.
     *
     * @param cells a sample's cell means at [offset, offset + features()) (channel-major, cells within)
     * @param predicted the sample's predicted class
     * @param sample the sample's number in its window (or any running count): it is scored against
     *     fit (sample mod {@value #FOLDS})
     */
    public double score(float[] cells, int offset, int predicted, long sample) {
        if (predicted < 0 || predicted >= counts.length) {
            throw new IllegalArgumentException("layer '" + layer + "': predicted class " + predicted + " outside [0, "
                    + counts.length + ")");
        }
        if (offset < 0 || cells.length - offset < features()) {
            throw new IllegalArgumentException("layer '" + layer + "': a sample needs " + features()
                    + " cell means from offset " + offset + "; the array has " + cells.length);
        }
        int fit = (int) Math.floorMod(sample, (long) mean.length);
        return score(cells, offset, predicted, mean[fit], precision[fit], features());
    }

    /**
     * Every row's score against this baseline as a live sample would be scored (row i against fit
     * i mod {@value #FOLDS}), e.g. to replay measured traffic offline.
     *
     * @param predicted every row's predicted class
     */
    public double[] scoreRows(SampleContributions rows, int[] predicted) {
        if (rows.cellFeatures() != features() || predicted.length != rows.samples()) {
            throw new IllegalArgumentException("layer '" + layer + "': rows of " + rows.cellFeatures()
                    + " cell means and " + predicted.length + " predictions for " + rows.samples()
                    + " samples; the baseline scores " + features() + " cell means per sample");
        }
        float[] cells = rows.cellRows();
        double[] out = new double[rows.samples()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(cells, i * features(), predicted[i], i);
        }
        return out;
    }

    /**
     * The statistic T² of a window (see the class comment).
     *
     * @param scoreSum the window's summed sample scores
     * @param classCounts the window's samples per predicted class
     */
    public double statistic(double scoreSum, long[] classCounts) {
        double[] w = ClassConditionalBaseline.weights(layer, classCounts, counts.length);
        double n = 0;
        for (long c : classCounts) {
            n += c;
        }
        double expected = 0;
        double variance = 0;
        for (int k = 0; k < w.length; k++) {
            if (w[k] == 0) {
                continue;
            }
            expected += w[k] * scoreMean[k];
            variance += (w[k] / n + w[k] * w[k] / Math.max(counts[k], ClassConditionalBaseline.MIN_CLASS_SAMPLES))
                    * scoreVariance[k];
        }
        double t = scoreSum / n - expected;
        return t * t / (variance + 1e-12);
    }

    /** This baseline with other class means of the score (a bootstrap re-estimate of them). */
    CellScoreBaseline withScoreMeans(double[] means) {
        return new CellScoreBaseline(layer, cellsPerChannel, counts, mean, variance, means.clone(), scoreVariance);
    }

    public String layer() {
        return layer;
    }

    public int classes() {
        return counts.length;
    }

    /** Cell means per sample: channels x cells per channel. */
    public int features() {
        return mean[0][0].length;
    }

    public int cellsPerChannel() {
        return cellsPerChannel;
    }

    /** E_k[s], the clean cross-fitted score mean per predicted class. */
    public double[] scoreMeans() {
        return scoreMean.clone();
    }

    /** Var_k[s], the clean cross-fitted score variance per predicted class. */
    public double[] scoreVariances() {
        return scoreVariance.clone();
    }

    /** Baseline samples per predicted class. */
    public long[] counts() {
        return counts.clone();
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("layer", layer);
        o.put("cellsPerChannel", cellsPerChannel);
        o.set("counts", JsonFields.array(counts));
        o.set("cellMean", fits(mean));
        o.set("cellVariance", fits(variance));
        o.set("scoreMean", JsonFields.array(scoreMean));
        o.set("scoreVariance", JsonFields.array(scoreVariance));
        return o;
    }

    /** [fit][class][feature] as nested arrays; float precision is all a cell moment has (written as floats). */
    private static ArrayNode fits(float[][][] values) {
        ArrayNode a = Json.array();
        for (float[][] fit : values) {
            ArrayNode classes = a.addArray();
            for (float[] row : fit) {
                ArrayNode r = classes.addArray();
                for (float v : row) {
                    r.add(v);
                }
            }
        }
        return a;
    }

    private static float[][][] fitsFromJson(String owner, JsonFields f, String name, int classes) {
        ArrayNode a = f.array(name);
        if (a.size() != FOLDS) {
            throw new IllegalArgumentException(owner + ": field '" + name + "' has " + a.size() + " fits; expected "
                    + FOLDS);
        }
        float[][][] out = new float[FOLDS][classes][];
        for (int j = 0; j < FOLDS; j++) {
            ObjectNode holder = Json.object();
            holder.set(name + "[" + j + "]", a.get(j));
            double[][] m = new JsonFields(owner, holder).matrix(name + "[" + j + "]", classes);
            for (int k = 0; k < classes; k++) {
                out[j][k] = new float[m[k].length];
                for (int i = 0; i < m[k].length; i++) {
                    out[j][k][i] = (float) m[k][i];
                }
            }
        }
        return out;
    }

    static CellScoreBaseline fromJson(JsonNode o) {
        String layer = new JsonFields("cell score baseline", o).string("layer");
        String owner = "cell score baseline of layer '" + layer + "'";
        JsonFields f = new JsonFields(owner, o);
        int cellsPerChannel = f.integer("cellsPerChannel");
        long[] counts = f.counts("counts");
        if (counts.length < 1 || cellsPerChannel < 1) {
            throw new IllegalArgumentException(owner + ": needs 'counts' per class and cellsPerChannel >= 1");
        }
        float[][][] mean = fitsFromJson(owner, f, "cellMean", counts.length);
        float[][][] variance = fitsFromJson(owner, f, "cellVariance", counts.length);
        double[] scoreMean = f.doubles("scoreMean");
        double[] scoreVariance = f.doubles("scoreVariance");
        int features = mean[0][0].length;
        if (features < 1 || features % cellsPerChannel != 0) {
            throw new IllegalArgumentException(owner + ": " + features + " cell means per class are not a whole number"
                    + " of channels of " + cellsPerChannel + " cells");
        }
        for (int j = 0; j < FOLDS; j++) {
            for (int k = 0; k < counts.length; k++) {
                if (mean[j][k].length != features || variance[j][k].length != features) {
                    throw new IllegalArgumentException(owner + ": fit " + j + " class " + k + " has " + mean[j][k].length
                            + " means and " + variance[j][k].length + " variances; fit 0 class 0 has " + features);
                }
                for (float v : variance[j][k]) {
                    if (!(v > 0)) {
                        throw new IllegalArgumentException(owner + ": fit " + j + " class " + k + " has a cell variance "
                                + v + "; every variance must be positive");
                    }
                }
            }
        }
        if (scoreMean.length != counts.length || scoreVariance.length != counts.length) {
            throw new IllegalArgumentException(owner + ": 'scoreMean' and 'scoreVariance' need one value per class ("
                    + counts.length + ")");
        }
        return new CellScoreBaseline(layer, cellsPerChannel, counts, mean, variance, scoreMean, scoreVariance);
    }

    /** Per class mean and floored variance of every cell feature over some rows. */
    private record FeatureMoments(float[][] mean, float[][] variance) {

        static FeatureMoments of(float[] cells, int features, int[] rows, int[] predicted, int classes) {
            double[][] sum = new double[classes + 1][features];
            double[][] squares = new double[classes + 1][features];
            long[] n = new long[classes + 1];
            for (int row : rows) {
                int k = predicted[row];
                int at = row * features;
                n[k]++;
                n[classes]++;
                for (int f = 0; f < features; f++) {
                    double x = cells[at + f];
                    sum[k][f] += x;
                    squares[k][f] += x * x;
                    sum[classes][f] += x;
                    squares[classes][f] += x * x;
                }
            }
            double[][] moments = new double[2 * (classes + 1)][features];
            double pooledVariance = 0;
            for (int k = 0; k <= classes; k++) {
                if (n[k] == 0) {
                    continue;
                }
                for (int f = 0; f < features; f++) {
                    double m = sum[k][f] / n[k];
                    moments[2 * k][f] = m;
                    moments[2 * k + 1][f] = Math.max(0, squares[k][f] / n[k] - m * m);
                    if (k == classes) {
                        pooledVariance += moments[2 * k + 1][f] / features;
                    }
                }
            }
            double floor = FLOOR_SHARE * pooledVariance + 1e-12;
            float[][] mean = new float[classes][features];
            float[][] variance = new float[classes][features];
            for (int k = 0; k < classes; k++) {
                int from = n[k] >= ClassConditionalBaseline.MIN_CLASS_SAMPLES ? k : classes;
                for (int f = 0; f < features; f++) {
                    mean[k][f] = (float) moments[2 * from][f];
                    // At least the smallest positive float, so that a stored variance is never 0.
                    variance[k][f] = (float) Math.max(Math.max(floor, moments[2 * from + 1][f]), Float.MIN_NORMAL);
                }
            }
            return new FeatureMoments(mean, variance);
        }
    }
}
