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

    public GaussianLayerData(double[] mean, double[] sd, int positions, double withinSampleWeight) {
        this.mean = mean.clone();
        this.sd = sd.clone();
        this.positions = positions;
        this.withinSampleWeight = withinSampleWeight;
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

    /** Per-sample sums {s1, s2}, each sample-major [samples][channels], shifted by {@code shift}. */
    public float[][] sampleSums(SplittableRandom random, int samples, double[] shift) {
        int channels = mean.length;
        float[] s1 = new float[samples * channels];
        float[] s2 = new float[samples * channels];
        double shared = Math.sqrt(withinSampleWeight);
        double own = Math.sqrt(1 - withinSampleWeight);
        for (int i = 0; i < samples; i++) {
            for (int c = 0; c < channels; c++) {
                double z = random.nextGaussian();
                double a1 = 0;
                double a2 = 0;
                for (int j = 0; j < positions; j++) {
                    double d = mean[c] + sd[c] * (shared * z + own * random.nextGaussian()) - shift[c];
                    a1 += d;
                    a2 += d * d;
                }
                s1[i * channels + c] = (float) a1;
                s2[i * channels + c] = (float) a2;
            }
        }
        return new float[][] {s1, s2};
    }

    public SampleContributions contributions(SplittableRandom random, int samples, double[] shift) {
        SampleContributions out = new SampleContributions(shift, positions);
        float[][] sums = sampleSums(random, samples, shift);
        out.add(sums[0], sums[1], samples);
        return out;
    }

    public io.varshift.core.moments.ChannelMoments window(SplittableRandom random, int samples, double[] shift) {
        io.varshift.core.moments.ChannelMoments m = new io.varshift.core.moments.ChannelMoments(shift);
        float[][] sums = sampleSums(random, samples, shift);
        m.addSampleSums(sums[0], sums[1], samples, positions);
        return m;
    }
}
