package io.varshift.trainer.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The statistics of a convolution's input that Eq. (14) is written in, accumulated over batches in
 * double precision: per input channel the mean cᵢ and variance vᵢ, and ρ, the mean pairwise
 * correlation of the d = channels·k_h·k_w inputs of one receptive field.
 *
 * <p>ρ comes from the variance of the receptive field's plain sum S = Σᵢ xᵢ (a convolution with an
 * all-ones kernel, interior fields only, so no padding enters): Var(S) = Σᵢ vᵢ + Σ_{i≠k} Cov(xᵢ, x_k).
 * The paper's model gives every input the same variance v (here the channel mean v̄, as Eq. 14 is fed)
 * and every pair the correlation ρ, so Var(S) = d·v̄ + d(d − 1)·ρ·v̄; ρ is the value that reproduces the
 * measured Var(S): ρ = (Var(S) − d·v̄) / (d(d − 1)·v̄), d = channels·kernel positions. The vᵢ of a
 * field's positions are those of their channels (stationarity over the map).
 */
final class ReceptiveField {

    private final Shape kernel;
    private double[] sum;
    private double[] squares;
    private long count;
    private double fieldSum;
    private double fieldSquares;
    private long fieldCount;

    ReceptiveField(Shape kernel) {
        this.kernel = kernel;
    }

    /** Adds one batch of the conv's input, NCHW. */
    void add(NDArray x) {
        int channels = Math.toIntExact(x.getShape().get(1));
        if (sum == null) {
            sum = new double[channels];
            squares = new double[channels];
        }
        count += x.size() / channels;
        accumulate(sum, x.sum(new int[] {0, 2, 3}));
        accumulate(squares, x.square().sum(new int[] {0, 2, 3}));
        NDArray ones = x.getManager().ones(new Shape(1, channels, kernel.get(0), kernel.get(1)), x.getDataType());
        NDArray fields = Conv2d.conv2d(x, ones).singletonOrThrow();
        fieldCount += fields.size();
        NDArray wide = fields.toType(DataType.FLOAT64, false);
        fieldSum += wide.sum().getDouble();
        fieldSquares += wide.square().sum().getDouble();
    }

    /** Adds a batch's per-channel sums, read back as floats, into {@code target} in double precision. */
    static void accumulate(double[] target, NDArray sums) {
        float[] values = sums.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            target[i] += values[i];
        }
    }

    int channels() {
        return sum.length;
    }

    double mean(int channel) {
        return sum[channel] / count;
    }

    double variance(int channel) {
        double c = mean(channel);
        return squares[channel] / count - c * c;
    }

    /** The equicorrelation ρ of a receptive field's inputs (see the class comment); NaN when d·v̄ is 0. */
    double meanCorrelation() {
        double d = (double) kernel.get(0) * kernel.get(1) * sum.length;
        double fieldMean = fieldSum / fieldCount;
        double fieldVariance = fieldSquares / fieldCount - fieldMean * fieldMean;
        double v = meanVariance();
        return d > 1 && v > 0 ? (fieldVariance - d * v) / (d * (d - 1) * v) : Double.NaN;
    }

    /** The mean over channels of vᵢ: the paper's v. */
    double meanVariance() {
        double total = 0;
        for (int c = 0; c < sum.length; c++) {
            total += variance(c);
        }
        return total / sum.length;
    }

    /** The mean over channels of E[xᵢ²] = cᵢ² + vᵢ: the paper's c² + v. */
    double meanSquare() {
        double total = 0;
        for (int c = 0; c < sum.length; c++) {
            total += squares[c] / count;
        }
        return total / sum.length;
    }
}
