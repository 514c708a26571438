package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The class-conditional window test on simulated layers whose input distribution depends on the
 * class (as real BN inputs do): calibrated on one sample, judged on fresh windows from the same
 * distribution in shuffled and skewed class mixes, and on drifted ones.
 */
class ModelCalibratorTest {

    static final int CLASSES = 5;
    static final int CHANNELS = 4;
    static final int POSITIONS = 8;
    static final double[] SHIFT = new double[CHANNELS];

    /** Per layer and class: means that differ between classes by up to 2 sd, sd that differs too. */
    static GaussianLayerData[][] layers(double sdFactor) {
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
    static List<SampleContributions> sums(GaussianLayerData[][] layers, int[] classes, SplittableRandom random) {
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

    static ModelCalibration calibrated(double alpha) {
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
    static double modelRate(ModelCalibration calibration, GaussianLayerData[][] layers, double[] mix, int windows,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int over = 0;
        for (int w = 0; w < windows; w++) {
            int[] classes = new int[100];
            long[] counts = new long[CLASSES];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = draw(random, mix);
                counts[classes[i]]++;
            }
            List<ChannelMoments> moments = new ArrayList<>();
            for (SampleContributions rows : sums(layers, classes, random)) {
                moments.add(rows.total());
            }
            if (calibration.judge(moments, counts).modelP() < calibration.falseAlarmRate()) {
                over++;
            }
        }
        return over / (double) windows;
    }

    static int draw(SplittableRandom random, double[] mix) {
        double u = random.nextDouble();
        int k = 0;
        double c = mix[0];
        while (u > c && k < mix.length - 1) {
            c += mix[++k];
        }
        return k;
    }

    static final double[] BALANCED = {0.2, 0.2, 0.2, 0.2, 0.2};
    static final double[] ONE_CLASS_AT_60 = {0.6, 0.1, 0.1, 0.1, 0.1};

    @Test
    void freshCleanWindowsAlarmAtAboutAlphaWhateverTheClassMix() {
        ModelCalibration calibration = calibrated(0.05);
        GaussianLayerData[][] clean = layers(1);
        // 1000 windows: the standard error at 5 % is 0.7 %.
        assertThat(modelRate(calibration, clean, BALANCED, 1000, 31)).isBetween(0.025, 0.08);
        assertThat(modelRate(calibration, clean, ONE_CLASS_AT_60, 1000, 32)).isBetween(0.01, 0.08);
    }

    @Test
    void aTwentyPercentWiderInputIsCaughtInMostWindows() {
        ModelCalibration calibration = calibrated(0.01);
        assertThat(modelRate(calibration, layers(1.2), BALANCED, 200, 33)).isGreaterThan(0.9);
    }

    @Test
    void mixtureMomentsEqualThePooledMomentsOfTheSameData() {
        SplittableRandom random = new SplittableRandom(41);
        int[] classes = new int[600];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i < 400 ? 0 : 1 + random.nextInt(CLASSES - 1);
        }
        SampleContributions rows = sums(layers(1), classes, random).get(0);
        int[] all = new int[classes.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        ClassConditionalBaseline baseline = ClassConditionalBaseline.of("bn1", rows, all, classes, CLASSES);
        long[] counts = baseline.counts();
        double[][] expected = baseline.expected(counts);
        ChannelMoments pooled = rows.total();
        for (int c = 0; c < CHANNELS; c++) {
            assertThat(expected[0][c]).isCloseTo(pooled.mean(c), within(1e-6));
            assertThat(expected[1][c]).isCloseTo(pooled.variance(c), within(1e-5));
        }
    }

    @Test
    void jsonRoundTripJudgesTheSame() {
        ModelCalibration calibration = calibrated(0.01);
        ModelCalibration back = ModelCalibration.fromJson(calibration.toJson());
        SplittableRandom random = new SplittableRandom(51);
        int[] classes = new int[100];
        long[] counts = new long[CLASSES];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = random.nextInt(CLASSES);
            counts[classes[i]]++;
        }
        List<ChannelMoments> moments = sums(layers(1.1), classes, random).stream().map(SampleContributions::total).toList();
        ModelCalibration.Judgement a = calibration.judge(moments, counts);
        ModelCalibration.Judgement b = back.judge(moments, counts);
        assertThat(b.modelP()).isEqualTo(a.modelP());
        assertThat(b.layerP()).containsExactly(a.layerP());
        assertThat(b.predictionMixP()).isEqualTo(a.predictionMixP());
        assertThat(back.scoreThreshold()).isCloseTo(2, within(1e-12));
    }

    @Test
    void tooFewHeldOutSamplesAreRefusedWithTheFix() {
        int[] classes = new int[150];
        ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(List.of("bn1", "bn2"),
                sums(layers(1), classes, new SplittableRandom(1)), classes, null, CLASSES);
        assertThatThrownBy(() -> new ModelCalibrator(500, 1).calibrate(heldOut, List.of(64), 0.01))
                .hasMessageContaining("hold out more samples");
    }
}
