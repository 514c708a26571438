package io.varshift.core.calibration;



import java.util.SplittableRandom;

/**
 * Simulated BN-layer input with a known distribution: per channel c and position j of a sample,
 * x = mean_c + sd_c·(√w·z_sample + √(1−w)·z_position), so positions of one sample are correlated
 * (weight w) as in a convolutional feature map. Produces per-sample shifted sums as the probes do.
 */
public final class GaussianLayerData {

    private final double[] mean;
    private final double[] sd;
    private final int positions;
    private final double withinSampleWeight;
    /** A local change: in a share of the samples, positions [patchFrom, patchTo) of one channel move. */
    private final int patchChannel;
    private final int patchFrom;
    private final int patchTo;
    private final double patchShiftInSd;
    private final double patchShare;

    public GaussianLayerData(double[] mean, double[] sd, int positions, double withinSampleWeight) {
        this(mean, sd, positions, withinSampleWeight, 0, 0, 0, 0, 0);
    }

    private GaussianLayerData(double[] mean, double[] sd, int positions, double withinSampleWeight, int patchChannel,
            int patchFrom, int patchTo, double patchShiftInSd, double patchShare) {
        this.mean = mean.clone();
        this.sd = sd.clone();
        this.positions = positions;
        this.withinSampleWeight = withinSampleWeight;
        this.patchChannel = patchChannel;
        this.patchFrom = patchFrom;
        this.patchTo = patchTo;
        this.patchShiftInSd = patchShiftInSd;
        this.patchShare = patchShare;
    }

    /**
     * The same layer where, in {@code share} of the samples, positions [from, to) of {@code channel}
     * are moved by {@code shiftInSd}·sd: a patch over part of the image, as an occlusion makes.
     */
    public GaussianLayerData patched(int channel, int from, int to, double shiftInSd, double share) {
        return new GaussianLayerData(mean, sd, positions, withinSampleWeight, channel, from, to, shiftInSd, share);
    }

    /** The same layer with every standard deviation scaled by sdFactor and every mean moved by meanShiftInSd·sd. */
    public GaussianLayerData drifted(double sdFactor, double meanShiftInSd) {
        double[] m = mean.clone();
        double[] s = sd.clone();
        for (int c = 0; c < m.length; c++) {
            m[c] += meanShiftInSd * sd[c];
            s[c] *= sdFactor;
        }
        return new GaussianLayerData(m, s, positions, withinSampleWeight);
    }

    public int channels() {
        return mean.length;
    }

    public int positions() {
        return positions;
    }

    /**
     * Per-sample sums {s1, s2}, each sample-major [samples][channels], shifted by {@code shift}, and
     * the cell means (not shifted) of the positions read as a 1 x P map, [samples][channels][cells].
     */
    public float[][] sampleSums(SplittableRandom random, int samples, double[] shift) {
        int channels = mean.length;
        float[] s1 = new float[samples * channels];
        float[] s2 = new float[samples * channels];
        io.varshift.core.probe.CellGrid grid = io.varshift.core.probe.CellGrid.of(positions);
        int cells = grid.cells();
        float[] cellMeans = new float[samples * channels * cells];
        float[] row = new float[positions];
        double[] cellRow = new double[cells];
        double shared = Math.sqrt(withinSampleWeight);
        double own = Math.sqrt(1 - withinSampleWeight);
        for (int i = 0; i < samples; i++) {
            boolean patch = patchShare > 0 && random.nextDouble() < patchShare;
            for (int c = 0; c < channels; c++) {
                double z = random.nextGaussian();
                double a1 = 0;
                double a2 = 0;
                for (int j = 0; j < positions; j++) {
                    double x = mean[c] + sd[c] * (shared * z + own * random.nextGaussian());
                    if (patch && c == patchChannel && j >= patchFrom && j < patchTo) {
                        x += patchShiftInSd * sd[c];
                    }
                    double d = x - shift[c];
                    a1 += d;
                    a2 += d * d;
                    row[j] = (float) x;
                }
                s1[i * channels + c] = (float) a1;
                s2[i * channels + c] = (float) a2;
                grid.cellMeans(row, 0, cellRow);
                for (int k = 0; k < cells; k++) {
                    cellMeans[(i * channels + c) * cells + k] = (float) cellRow[k];
                }
            }
        }
        return new float[][] {s1, s2, cellMeans};
    }

    /** Cells per channel of the rows this layer produces (positions read as a 1 x P map). */
    public int cells() {
        return io.varshift.core.probe.CellGrid.of(positions).cells();
    }

    public SampleContributions contributions(SplittableRandom random, int samples, double[] shift) {
        SampleContributions out = new SampleContributions(shift, positions);
        float[][] sums = sampleSums(random, samples, shift);
        out.add(sums[0], sums[1], samples);
        out.addCells(sums[2], samples, cells());
        return out;
    }

    public io.varshift.core.moments.ChannelMoments window(SplittableRandom random, int samples, double[] shift) {
        io.varshift.core.moments.ChannelMoments m = new io.varshift.core.moments.ChannelMoments(shift);
        float[][] sums = sampleSums(random, samples, shift);
        m.addSampleSums(sums[0], sums[1], samples, positions);
        return m;
    }
}
