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
        return layers(sdFactor, POSITIONS);
    }

    /** The same layers with {@code positions} positions per sample (read as a 1 x P map). */
    public static GaussianLayerData[][] layers(double sdFactor, int positions) {
        GaussianLayerData[][] out = new GaussianLayerData[2][CLASSES];
        for (int l = 0; l < 2; l++) {
            for (int k = 0; k < CLASSES; k++) {
                double[] mean = new double[CHANNELS];
                double[] sd = new double[CHANNELS];
                for (int c = 0; c < CHANNELS; c++) {
                    mean[c] = 0.5 * k * ((c + l) % 3 - 1) + 0.1 * c;
                    sd[c] = (1 + 0.3 * ((k + c) % 2)) * sdFactor;
                }
                out[l][k] = new GaussianLayerData(mean, sd, positions, 0.5);
            }
        }
        return out;
    }

    /** Per-layer sums of the given class sequence. */
    public static List<SampleContributions> sums(GaussianLayerData[][] layers, int[] classes, SplittableRandom random) {
        List<SampleContributions> out = new ArrayList<>();
        for (GaussianLayerData[] layer : layers) {
            SampleContributions rows = new SampleContributions(SHIFT, layer[0].positions());
            for (int k : classes) {
                float[][] s = layer[k].sampleSums(random, 1, SHIFT);
                rows.add(s[0], s[1], 1);
                rows.addCells(s[2], 1, layer[k].cells());
            }
            out.add(rows);
        }
        return out;
    }

    public static ModelCalibration calibrated(double alpha) {
        return calibrated(alpha, POSITIONS);
    }

    /** Calibrated on 4000 held-out samples of {@link #layers(double, int)} with that many positions. */
    public static ModelCalibration calibrated(double alpha, int positions) {
        SplittableRandom random = new SplittableRandom(21);
        int[] classes = new int[4000];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = random.nextInt(CLASSES);
        }
        ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(List.of("bn1", "bn2"),
                sums(layers(1, positions), classes, random), classes, classes, CLASSES);
        return new ModelCalibrator(2_000, 5).calibrate(heldOut, List.of(100), alpha);
    }

    /** Share of fresh windows over α at the model level, classes drawn by {@code mix}. */
    public static double modelRate(ModelCalibration calibration, GaussianLayerData[][] layers, double[] mix, int windows,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int over = 0;
        for (int w = 0; w < windows; w++) {
            if (window(calibration, layers, mix, 100, random).judge(calibration).modelP()
                    < calibration.falseAlarmRate()) {
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


    /** A window as the agent holds it: per-layer moments and summed cell scores, and the class counts. */
    public record Window(List<ChannelMoments> moments, double[] cellScoreSums, long[] counts) {

        public ModelCalibration.Judgement judge(ModelCalibration calibration) {
            return calibration.judge(moments, cellScoreSums, counts);
        }
    }

    /**
     * One fresh window of {@code size} samples, predicted class = true class; each sample's cell
     * score taken against {@code calibration}, as the agent scores live samples.
     */
    public static Window window(ModelCalibration calibration, GaussianLayerData[][] layers, double[] mix, int size,
            SplittableRandom random) {
        int[] classes = new int[size];
        long[] counts = new long[CLASSES];
        for (int i = 0; i < size; i++) {
            classes[i] = draw(random, mix);
            counts[classes[i]]++;
        }
        List<SampleContributions> rows = sums(layers, classes, random);
        double[] scores = new double[rows.size()];
        for (int l = 0; l < rows.size(); l++) {
            for (double s : calibration.cellScores().get(l).scoreRows(rows.get(l), classes)) {
                scores[l] += s;
            }
        }
        return new Window(rows.stream().map(SampleContributions::total).toList(), scores, counts);
    }
}
