package io.varshift.core.calibration;

import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated BN inputs whose distribution depends on the class (as real BN inputs do): two layers,
 * five classes with means up to 2 sd apart, a calibration on 4000 held-out samples and fresh windows
 * in any class mix.
 */
public final class ClassMixtureData {

    public static final double[] BALANCED = {0.2, 0.2, 0.2, 0.2, 0.2};
    public static final double[] ONE_CLASS_AT_60 = {0.6, 0.1, 0.1, 0.1, 0.1};

    private ClassMixtureData() {
    }

    public static final int CLASSES = 5;
    public static final int CHANNELS = 4;
    public static final int POSITIONS = 8;
    static final double[] SHIFT = new double[CHANNELS];

    /** Per layer and class: means that differ between classes by up to 2 sd, sd that differs too. */
    public static GaussianLayerData[][] layers(double sdFactor) {
        GaussianLayerData[][] out = new GaussianLayerData[2][CLASSES];
        for (int l = 0; l < 2; l++) {
            for (int k = 0; k < CLASSES; k++) {
                double[] mean = new double[CHANNELS];
                double[] sd = new double[CHANNELS];
                for (int c = 0; c < CHANNELS; c++) {
                    mean[c] = 0.5 * k * ((c + l) % 3 - 1) + 0.1 * c;
                    sd[c] = (1 + 0.3 * ((k + c) % 2)) * sdFactor;
                }
                out[l][k] = new GaussianLayerData(mean, sd, POSITIONS, 0.5);
            }
        }
        return out;
    }

    /** Per-layer sums of the given class sequence. */
    public static List<SampleContributions> sums(GaussianLayerData[][] layers, int[] classes, SplittableRandom random) {
        List<SampleContributions> out = new ArrayList<>();
        for (GaussianLayerData[] layer : layers) {
            SampleContributions rows = new SampleContributions(SHIFT, POSITIONS);
            for (int k : classes) {
                float[][] s = layer[k].sampleSums(random, 1, SHIFT);
                rows.add(s[0], s[1], 1);
            }
            out.add(rows);
        }
        return out;
    }

    public static ModelCalibration calibrated(double alpha) {
        SplittableRandom random = new SplittableRandom(21);
        int[] classes = new int[4000];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = random.nextInt(CLASSES);
        }
        ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(List.of("bn1", "bn2"),
                sums(layers(1), classes, random), classes, classes, CLASSES);
        return new ModelCalibrator(2_000, 5).calibrate(heldOut, List.of(100), alpha);
    }

    /** Share of fresh windows over α at the model level, classes drawn by {@code mix}. */
    public static double modelRate(ModelCalibration calibration, GaussianLayerData[][] layers, double[] mix, int windows,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] counts = new long[CLASSES];
        int over = 0;
        for (int w = 0; w < windows; w++) {
            List<ChannelMoments> moments = window(layers, mix, 100, random, counts);
            if (calibration.judge(moments, counts).modelP() < calibration.falseAlarmRate()) {
                over++;
            }
        }
        return over / (double) windows;
    }

    public static int draw(SplittableRandom random, double[] mix) {
        double u = random.nextDouble();
        int k = 0;
        double c = mix[0];
        while (u > c && k < mix.length - 1) {
            c += mix[++k];
        }
        return k;
    }


    /** One fresh window of {@code size} samples: per-layer moments and predicted-class counts. */
    public static List<ChannelMoments> window(GaussianLayerData[][] layers, double[] mix, int size,
            SplittableRandom random, long[] countsOut) {
        int[] classes = new int[size];
        java.util.Arrays.fill(countsOut, 0);
        for (int i = 0; i < size; i++) {
            classes[i] = draw(random, mix);
            countsOut[classes[i]]++;
        }
        return sums(layers, classes, random).stream().map(SampleContributions::total).toList();
    }
}
