package io.varshift.core.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.moments.ChannelMoments;

/**
 * One BN layer's clean input moments conditional on the model's predicted class, measured on the
 * held-out data, and the window statistic against them.
 *
 * <p>Per sample i and channel c the probe gives the mean over positions m_i = Σ(x − k)/P and the mean
 * square q_i = Σ(x − k)²/P (k the layer's running mean). Per predicted class the baseline keeps
 * their means, variances and covariance. A window's expected moments are the mixture under the
 * window's own predicted-class counts w_k = n_k/n: mean M = Σ w_k E_k[m], variance
 * V = Σ w_k E_k[q] − M² − Var(μ̂). A class-mix change or a same-class burst moves the window's
 * moments and M, V together, so the statistic stays where it was; changed inputs move them apart.
 *
 * <p>Statistic: S = mean_c[(μ_c − M_c)²/Var(μ̂_c) + (v_c − V_c)²/Var(v̂_c)], two z² per channel. For
 * fixed class counts Var(μ̂) = Σ w_k Var_k(m)/n and, by the delta method with g = q − 2M·m,
 * Var(v̂) = Σ w_k Var_k(g)/n; each denominator also holds the baseline's own error,
 * Σ w_k² Var_k(·)/a_k with a_k baseline samples of class k, so S keeps its scale under any mix and
 * any held-out size. Classes with fewer than {@value #MIN_CLASS_SAMPLES} baseline samples use the
 * pooled moments.
 */
public final class ClassConditionalBaseline {

    static final int MIN_CLASS_SAMPLES = 20;
    /** Floor of each denominator: BN's ε squared, so that a dead (constant) channel gives 0, not 0/0. */
    private static final double FLOOR = 1e-10;
    private static final int MEAN = 0;
    private static final int SQUARE = 1;
    private static final int MEAN_VAR = 2;
    private static final int SQUARE_VAR = 3;
    private static final int COVARIANCE = 4;
    private static final String[] FIELDS = {"sampleMean", "sampleSquare", "sampleMeanVariance",
        "sampleSquareVariance", "sampleCovariance"};

    private final String layer;
    private final double[] shift;
    private final long[] counts;
    /** [field][class][channel], see the field indices. */
    private final double[][][] moments;

    private ClassConditionalBaseline(String layer, double[] shift, long[] counts, double[][][] moments) {
        this.layer = layer;
        this.shift = shift;
        this.counts = counts;
        this.moments = moments;
    }

    /**
     * @param rows the layer's per-sample sums on held-out data
     * @param use which rows form the baseline
     * @param predicted predicted class of every row (0 ≤ class &lt; classes)
     */
    static ClassConditionalBaseline of(String layer, SampleContributions rows, int[] use, int[] predicted,
            int classes) {
        int channels = rows.channels();
        double positions = rows.positionsPerSample();
        // [class or pooled][channel]: Σm, Σq, Σm², Σq², Σqm.
        double[][][] sums = new double[5][classes + 1][channels];
        long[] counts = new long[classes];
        float[] r1 = new float[channels];
        float[] r2 = new float[channels];
        for (int row : use) {
            int k = predicted[row];
            counts[k]++;
            rows.row(row, r1, r2);
            for (int c = 0; c < channels; c++) {
                double m = r1[c] / positions;
                double q = r2[c] / positions;
                add(sums, k, c, m, q);
                add(sums, classes, c, m, q);
            }
        }
        double[][][] moments = new double[FIELDS.length][classes][];
        double[][] pooled = moments(sums, classes, use.length, channels);
        for (int k = 0; k < classes; k++) {
            double[][] mk = counts[k] >= MIN_CLASS_SAMPLES ? moments(sums, k, counts[k], channels) : pooled;
            for (int f = 0; f < FIELDS.length; f++) {
                moments[f][k] = mk[f];
            }
        }
        return new ClassConditionalBaseline(layer, rows.shift(), counts, moments);
    }

    private static void add(double[][][] sums, int target, int c, double m, double q) {
        sums[0][target][c] += m;
        sums[1][target][c] += q;
        sums[2][target][c] += m * m;
        sums[3][target][c] += q * q;
        sums[4][target][c] += q * m;
    }

    private static double[][] moments(double[][][] sums, int k, long samples, int channels) {
        double[][] out = new double[FIELDS.length][channels];
        for (int c = 0; c < channels; c++) {
            double m = sums[0][k][c] / samples;
            double q = sums[1][k][c] / samples;
            out[MEAN][c] = m;
            out[SQUARE][c] = q;
            out[MEAN_VAR][c] = Math.max(0, sums[2][k][c] / samples - m * m);
            out[SQUARE_VAR][c] = Math.max(0, sums[3][k][c] / samples - q * q);
            out[COVARIANCE][c] = sums[4][k][c] / samples - q * m;
        }
        return out;
    }

    public String layer() {
        return layer;
    }

    public int classes() {
        return counts.length;
    }

    public int channels() {
        return shift.length;
    }

    /** Baseline samples per predicted class. */
    public long[] counts() {
        return counts.clone();
    }

    /**
     * This baseline with the class means E[m], E[q] of {@code draw} (another estimate of them, e.g.
     * from a bootstrap resample of the held-out rows) and its own variances and counts: the bootstrap
     * judges null windows against such draws so that the null holds the baseline's sampling error
     * (see {@link ModelCalibrator}), while the statistic's denominators stay the agent's.
     */
    ClassConditionalBaseline withMeansOf(ClassConditionalBaseline draw) {
        double[][][] next = moments.clone();
        next[MEAN] = draw.moments[MEAN];
        next[SQUARE] = draw.moments[SQUARE];
        return new ClassConditionalBaseline(layer, shift, counts, next);
    }

    /**
     * The mixture's per-channel mean and per-position variance under the given predicted-class
     * counts, {M, V} (V without the small-window correction Var(μ̂)).
     */
    public double[][] expected(long[] classCounts) {
        double[] w = weights(classCounts);
        int channels = channels();
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double m = mixture(MEAN, w, c);
            out[0][c] = shift[c] + m;
            out[1][c] = Math.max(0, mixture(SQUARE, w, c) - m * m);
        }
        return out;
    }

    /** Σ_k w_k · field[k][c]: the mixture's value of a per-class moment. */
    private double mixture(int field, double[] w, int c) {
        double sum = 0;
        for (int k = 0; k < w.length; k++) {
            sum += w[k] * moments[field][k][c];
        }
        return sum;
    }

    /**
     * The statistic S of a window (see the class comment).
     *
     * @param window the window's moments of this layer's input
     * @param classCounts the window's samples per predicted class
     */
    public double statistic(ChannelMoments window, long[] classCounts) {
        int channels = channels();
        if (window.channels() != channels) {
            throw new IllegalArgumentException("layer '" + layer + "': window has " + window.channels()
                    + " channels but the calibration baseline has " + channels + "; recalibrate the model");
        }
        double[] w = weights(classCounts);
        double n = 0;
        for (long count : classCounts) {
            n += count;
        }
        double sum = 0;
        for (int c = 0; c < channels; c++) {
            double m = mixture(MEAN, w, c);
            double q = mixture(SQUARE, w, c);
            double meanVar = 0;
            double varVar = 0;
            for (int k = 0; k < w.length; k++) {
                if (w[k] == 0) {
                    continue;
                }
                double vm = moments[MEAN_VAR][k][c];
                double vg = moments[SQUARE_VAR][k][c] - 4 * m * moments[COVARIANCE][k][c] + 4 * m * m * vm;
                double share = w[k] / n + w[k] * w[k] / Math.max(counts[k], MIN_CLASS_SAMPLES);
                meanVar += share * vm;
                varVar += share * Math.max(0, vg);
            }
            double expectedVar = q - m * m - meanVar;
            double dm = window.mean(c) - shift[c] - m;
            double dv = window.variance(c) - expectedVar;
            sum += dm * dm / (meanVar + FLOOR) + dv * dv / (varVar + FLOOR);
        }
        return sum / channels;
    }

    private double[] weights(long[] classCounts) {
        return weights(layer, classCounts, counts.length);
    }

    /**
     * A window's predicted-class shares w_k = n_k/n.
     *
     * @throws IllegalArgumentException on a count per class that does not match, a negative count or an empty window
     */
    static double[] weights(String layer, long[] classCounts, int classes) {
        if (classCounts.length != classes) {
            throw new IllegalArgumentException("layer '" + layer + "': " + classCounts.length
                    + " predicted-class counts for a baseline of " + classes + " classes");
        }
        double total = 0;
        for (long c : classCounts) {
            if (c < 0) {
                throw new IllegalArgumentException("layer '" + layer + "': negative predicted-class count " + c);
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("layer '" + layer + "': the window has no predicted classes (empty)");
        }
        double[] w = new double[classCounts.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = classCounts[k] / total;
        }
        return w;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("layer", layer);
        o.set("shift", JsonFields.array(shift));
        o.set("counts", JsonFields.array(counts));
        for (int f = 0; f < FIELDS.length; f++) {
            ArrayNode rows = o.putArray(FIELDS[f]);
            for (double[] row : moments[f]) {
                rows.add(JsonFields.array(row));
            }
        }
        return o;
    }

    static ClassConditionalBaseline fromJson(JsonNode o) {
        String layer = new JsonFields("calibration baseline", o).string("layer");
        String owner = "calibration baseline of layer '" + layer + "'";
        JsonFields f = new JsonFields(owner, o);
        double[] shift = f.doubles("shift");
        long[] counts = f.counts("counts");
        if (counts.length < 1 || shift.length < 1) {
            throw new IllegalArgumentException(owner + ": 'counts' and 'shift' need one value per class and channel");
        }
        double[][][] moments = new double[FIELDS.length][][];
        for (int i = 0; i < FIELDS.length; i++) {
            moments[i] = f.matrix(FIELDS[i], counts.length);
            for (int k = 0; k < counts.length; k++) {
                if (moments[i][k].length != shift.length) {
                    throw new IllegalArgumentException(owner + ": '" + FIELDS[i] + "'[" + k + "] has "
                            + moments[i][k].length + " values; the layer has " + shift.length + " channels");
                }
            }
        }
        return new ClassConditionalBaseline(layer, shift, counts, moments);
    }
}
